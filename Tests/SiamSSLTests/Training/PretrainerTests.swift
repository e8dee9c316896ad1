import Foundation
import SiamData
import SiamNN
import SiamSSL
import SiamTensor
import Testing

/// What the loop reports, when it calls the kNN monitor, and the sanity check that
/// pretraining learns.
@Suite struct PretrainerTests {
  @Test func observersHearStepsAtTheCadenceAndEpochs() throws {
    let observer = RecordingObserver()
    let configuration = TinyRun.configuration(epochs: 2)
    let pretrainer = try TinyRun.makePretrainer(TinyRun.byol, configuration, observers: [observer])
    let result = try pretrainer.run()
    #expect(
      observer.starts.count == 1 && observer.starts[0].stepsPerEpoch == 4 && observer.starts[0].resumedFrom == nil)
    // logEverySteps 2: steps 0 and 2, and the last (3) of each epoch.
    #expect(observer.steps.map(\.globalStep) == [0, 2, 3, 4, 6, 7])
    #expect(observer.steps.map(\.step) == [0, 2, 3, 0, 2, 3])
    // Progress: every step, agreeing with the records of the logged ones.
    #expect(observer.progress.map(\.globalStep) == Array(0..<8))
    #expect(observer.progress.map(\.step) == [0, 1, 2, 3, 0, 1, 2, 3])
    for record in observer.steps {
      let progress = observer.progress[record.globalStep]
      #expect(progress.loss == Double(record.loss) && progress.epoch == record.epoch && progress.totalSteps == 8)
      #expect(progress.imagesPerSecond == record.imagesPerSecond)
    }
    let schedule = configuration.learningRateSchedule(stepsPerEpoch: 4)
    for record in observer.steps {
      #expect(record.learningRate == schedule.value(atStep: record.globalStep))
      #expect(record.totalSteps == 8 && record.loss.isFinite && record.metrics["loss"] == record.loss)
      #expect(record.momentum != nil && record.momentum == record.metrics["momentum"])
      #expect(record.imagesPerSecond > 0 && record.dataWaitSeconds >= 0 && record.dataWaitSeconds <= record.stepSeconds)
      #expect(record.metrics["embedding_std"] != nil && record.metrics["positive_similarity"] != nil)
    }
    #expect(observer.steps[0].learningRate == 0, "warmup starts at 0")
    #expect(observer.steps.last!.estimatedSecondsRemaining == 0)
    #expect(observer.epochs == result.epochs && result.epochs.map(\.epoch) == [0, 1])
    for record in result.epochs {
      #expect(record.meanLoss.isFinite && record.metrics["loss"] == record.meanLoss)
      #expect(record.embeddingStd == record.metrics["embedding_std"] && record.embeddingStd! > 0)
      #expect(record.seconds > 0 && record.imagesPerSecond > 0 && record.knn == nil)
      #expect(record.dataWaitFraction >= 0 && record.dataWaitFraction < 1)
      #expect(abs(record.dataWaitFraction - record.dataWaitSeconds / record.seconds) < 1e-12)
    }
    #expect(result.epochs.map(\.globalStep) == [4, 8])
  }

  @Test func theKNNMonitorRunsAtItsCadenceInEvaluationMode() throws {
    var configuration = TinyRun.configuration(epochs: 3)
    configuration.knnEveryEpochs = 2
    var calls: [(epoch: Int, isTraining: Bool)] = []
    let monitor: Pretrainer.Monitor = { encoder, epoch in
      calls.append((epoch, encoder.isTraining))
      return ["knn_top1": Float(epoch) / 10]
    }
    let pretrainer = try TinyRun.makePretrainer(TinyRun.simclr, configuration, knnMonitor: monitor)
    let result = try pretrainer.run()
    // After epoch 2 (index 1) and after the last (index 2).
    #expect(calls.map(\.epoch) == [1, 2] && calls.allSatisfy { !$0.isTraining })
    #expect(result.epochs.map(\.knn) == [nil, ["knn_top1": 0.1], ["knn_top1": 0.2]])
    #expect(pretrainer.method.encoder.isTraining, "training mode is restored")
  }

  @Test func aLoaderThatDoesNotFitIsAConfigurationError() throws {
    let configuration = TinyRun.configuration()
    let dataset = TinyRun.dataset()
    let method = try TinyRun.makeMethod(TinyRun.simclr, configuration)
    let wrongBatch = MultiViewLoader(dataset: dataset, views: TinyRun.views(), batchSize: 4, seed: 1)
    let error = #expect(throws: SSLError.self) {
      try Pretrainer(method: method, loader: wrongBatch, configuration: configuration)
    }
    #expect(error?.code == .invalidConfiguration && error?.key == "batchSize")
    let oneView = configuration.makeLoader(dataset: dataset, views: [TinyRun.views()[0]])
    #expect(throws: SSLError.self) { try Pretrainer(method: method, loader: oneView, configuration: configuration) }
    var tooLong = configuration
    tooLong.warmupEpochs = 4
    let warmup = #expect(throws: SSLError.self) {
      try Pretrainer(
        method: method, loader: configuration.makeLoader(dataset: dataset, views: TinyRun.views()),
        configuration: tooLong)
    }
    #expect(warmup?.key == "warmupEpochs")
  }

  @Test func lineLoggerWritesPlainProgressLines() throws {
    var lines: [String] = []
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let logger = LineLogger { lines.append($0) }
    try TinyRun.makePretrainer(
      TinyRun.moco, TinyRun.configuration(epochs: 1), directory: directory, observers: [logger]
    )
    .run()
    #expect(lines.count == 1 + 3 + 1 + 1, "\(lines)")
    #expect(lines[0].hasPrefix("mocov2: 1 epochs × 4 steps of 8 (") && lines[0].hasSuffix("from the start"))
    #expect(lines[1].hasPrefix("epoch 1/1 step 1/4 loss "), "\(lines[1])")
    for part in [" lr ", " momentum 0.9000", " images/s ", " wait ", "% eta "] {
      #expect(lines[1].contains(part), "\(lines[1]) lacks '\(part)'")
    }
    #expect(lines[4].hasPrefix("checkpoint epoch 1/1: ") && lines[4].hasSuffix("epoch-0001.safetensors"))
    #expect(
      lines[5].hasPrefix("epoch 1/1 done loss ") && lines[5].contains(" embedding_std ")
        && lines[5].hasSuffix(" eta 0:00:00"), "\(lines[5])")
  }

  @Test func simclrLossGoesDownOnTheSyntheticSet() throws {
    // 64 synthetic images 1×16×16 of 4 classes, a 2-stage ConvNet, 6 epochs of 4 steps.
    let dataset = try SyntheticDataset.make(classes: 4, count: 64, channels: 1, size: 16, seed: 1, split: .train)
    let configuration = PretrainingConfiguration(
      epochs: 6, batchSize: 16,
      optimizer: .sgd(learningRate: 0.1, weightDecay: 1e-5, scalesLearningRateWithBatchSize: false),
      warmupEpochs: 1, seed: 5, logEverySteps: 100, knnEveryEpochs: nil)
    let method = try MethodConfiguration.simclr(
      .init(temperature: 0.5, projectorHiddenWidths: [32], projectorOutputFeatures: 16)
    )
    .makeMethod(
      encoder: .convnet(widths: [8, 16], strides: [1, 2]), inputShape: [1, 16, 16], batchSize: 16,
      key: configuration.methodKey)
    let loader = configuration.makeLoader(dataset: dataset, views: TinyRun.views(side: 16))
    let result = try Pretrainer(method: method, loader: loader, configuration: configuration).run()
    let losses = result.epochs.map(\.meanLoss)
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses.last! < losses.first! - 0.3, "losses \(losses)")  // measured 2.84 → 2.12
    #expect(result.epochs.last!.embeddingStd! > 0.05, "no collapse: \(result.epochs.map(\.embeddingStd))")
  }
}
