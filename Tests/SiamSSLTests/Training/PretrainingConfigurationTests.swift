import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing

/// Defaults, decoding, validation, learning-rate scaling and the schedule.
@Suite struct PretrainingConfigurationTests {
  @Test func anEmptyDocumentDecodesToThePaperDefaults() throws {
    let decoded = try JSONDecoder().decode(PretrainingConfiguration.self, from: Data("{}".utf8))
    #expect(decoded == PretrainingConfiguration())
    #expect(decoded.epochs == 100 && decoded.batchSize == 256 && decoded.warmupEpochs == 10)
    #expect(decoded.optimizer.kind == .lars && decoded.optimizer.learningRate == 0.3)
    #expect(decoded.optimizer.excludesBiasAndNormalization && decoded.optimizer.scalesLearningRateWithBatchSize)
    #expect(decoded.knnEveryEpochs == 10)
    try decoded.validate()
  }

  @Test func partialDocumentsKeepTheOtherDefaultsAndRoundTrip() throws {
    let json = #"{"epochs": 5, "optimizer": {"name": "sgd", "learningRate": 0.05}, "knnEveryEpochs": null}"#
    let decoded = try JSONDecoder().decode(PretrainingConfiguration.self, from: Data(json.utf8))
    #expect(decoded.epochs == 5 && decoded.batchSize == 256 && decoded.knnEveryEpochs == nil)
    #expect(
      decoded.optimizer.kind == .sgd && decoded.optimizer.learningRate == 0.05 && decoded.optimizer.momentum == 0.9)
    let again = try JSONDecoder().decode(PretrainingConfiguration.self, from: Data(decoded.canonicalJSON.utf8))
    #expect(again == decoded)
  }

  @Test func learningRateScalesWithTheBatchSizeOverTwoFiftySix() {
    let lars = OptimizerConfiguration.lars(learningRate: 0.3)
    #expect(lars.peakLearningRate(batchSize: 256) == 0.3)
    #expect(abs(lars.peakLearningRate(batchSize: 512) - 0.6) < 1e-7)
    #expect(abs(lars.peakLearningRate(batchSize: 64) - 0.075) < 1e-7)
    let fixed = OptimizerConfiguration.sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false)
    #expect(fixed.peakLearningRate(batchSize: 512) == 0.05)
  }

  @Test func theScheduleWarmsUpThenFollowsTheCosineToTheFinalFraction() {
    let configuration = PretrainingConfiguration(
      epochs: 10, batchSize: 512, optimizer: .lars(learningRate: 0.3), warmupEpochs: 2, finalLearningRateFraction: 0.1)
    let schedule = configuration.learningRateSchedule(stepsPerEpoch: 5)
    let peak: Float = 0.6
    #expect(schedule.warmupSteps == 10 && schedule.totalSteps == 50)
    #expect(schedule.value(atStep: 0) == 0)
    #expect(abs(schedule.value(atStep: 5) - peak / 2) < 1e-6)
    #expect(abs(schedule.value(atStep: 10) - peak) < 1e-6)
    #expect(abs(schedule.value(atStep: 30) - (0.06 + (peak - 0.06) / 2)) < 1e-6)
    #expect(abs(schedule.value(atStep: 50) - 0.06) < 1e-6)
  }

  @Test func optimizersAreBuiltWithTheirExclusions() {
    let conv = [8, 1, 3, 3]
    let bias = [8]
    guard let lars = OptimizerConfiguration.lars().makeOptimizer(batchSize: 256) as? LARS,
      let sgd = OptimizerConfiguration.sgd(weightDecay: 1e-4, excludesBiasAndNormalization: true)
        .makeOptimizer(batchSize: 128) as? SGD,
      let adamw = OptimizerConfiguration.adamw(excludesBiasAndNormalization: false).makeOptimizer(batchSize: 256)
        as? AdamW
    else {
      Issue.record("wrong optimizer types")
      return
    }
    #expect(lars.learningRate == 0.3 && lars.trustCoefficient == 0.001 && lars.weightDecay == 1e-6)
    #expect(lars.exclusions.matches("bn.bias", bias) && !lars.exclusions.matches("conv.weight", conv))
    #expect(abs(sgd.learningRate - 0.015) < 1e-9 && sgd.momentum == 0.9 && sgd.weightDecay == 1e-4)
    #expect(sgd.weightDecayExclusions.matches("fc.bias", bias))
    #expect(!adamw.weightDecayExclusions.matches("fc.bias", bias) && adamw.weightDecay == 0.1)
  }

  /// The default configuration with the value at `key` out of range.
  static func outOfRange(_ key: String) -> PretrainingConfiguration {
    var c = PretrainingConfiguration()
    switch key {
    case "epochs": c.epochs = 0
    case "batchSize": c.batchSize = 1
    case "optimizer.learningRate": c.optimizer.learningRate = 0
    case "optimizer.momentum": c.optimizer.momentum = 1
    case "warmupEpochs": c.warmupEpochs = 101
    case "finalLearningRateFraction": c.finalLearningRateFraction = 2
    case "logEverySteps": c.logEverySteps = 0
    case "knnEveryEpochs": c.knnEveryEpochs = 0
    default: Issue.record("no out-of-range value for \(key)")
    }
    return c
  }

  @Test(arguments: [
    "epochs", "batchSize", "optimizer.learningRate", "optimizer.momentum", "warmupEpochs",
    "finalLearningRateFraction", "logEverySteps", "knnEveryEpochs",
  ])
  func outOfRangeValuesAreNamed(key: String) {
    let configuration = Self.outOfRange(key)
    let error = #expect(throws: SSLError.self) { try configuration.validate() }
    #expect(error?.code == .invalidConfiguration && error?.key == key, "\(String(describing: error))")
  }

  @Test func seedsAreDerivedFromTheRunSeed() {
    let a = PretrainingConfiguration(seed: 1)
    let b = PretrainingConfiguration(seed: 2)
    #expect(a.loaderSeed == PretrainingConfiguration(seed: 1).loaderSeed && a.loaderSeed != b.loaderSeed)
    #expect(a.methodKey != b.methodKey)
  }
}
