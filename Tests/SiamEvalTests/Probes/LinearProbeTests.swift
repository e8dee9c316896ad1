import SiamTensor
import Testing

@testable import SiamEval

@Test func linearProbeSeparatesGaussianClusters() throws {
  let train = makeClusters(perClass: 100, classes: 5, dimension: 12, seed: 1, split: "train")
  let test = makeClusters(perClass: 40, classes: 5, dimension: 12, seed: 2, split: "test")
  let probe = LinearProbe(configuration: .init(epochs: 20, batchSize: 64))
  let result = try probe.evaluate(train: train, test: test)
  #expect(result.top1 >= 0.99, "test top-1 \(result.top1)")
  #expect(result.trainTop1 >= 0.99)
  #expect(result.top5 == 1)
  #expect(result.finalLoss < 0.1, "final loss \(result.finalLoss)")
  #expect(result.epochLosses.count == 20)
  #expect(result.epochLosses.last! < result.epochLosses.first!)
  #expect(result.confusion.count == 5 && result.confusion.flatMap { $0 }.reduce(0, +) == test.count)
  #expect(result.protocol.kind == .linear && result.protocol.epochs == 20 && result.protocol.selection == "last")
  #expect(result.protocol.trainSplit == "train" && result.protocol.evaluationSplit == "test")
}

@Test func linearProbeIsDeterministicFromTheSeed() throws {
  let train = makeClusters(perClass: 30, classes: 3, dimension: 6, noise: 3, seed: 3)
  let configuration = LinearProbe.Configuration(epochs: 5, batchSize: 16, seed: 9)
  let a = try LinearProbe(configuration: configuration).fit(train)
  let b = try LinearProbe(configuration: configuration).fit(train)
  #expect(a.classifier == b.classifier)
  var other = configuration
  other.seed = 10
  let c = try LinearProbe(configuration: other).fit(train)
  #expect(c.classifier.weight != a.classifier.weight)
}

@Test func standardizationUsesTrainStatisticsOnly() throws {
  let train = makeClusters(perClass: 50, classes: 2, dimension: 4, seed: 4)
  let fit = try LinearProbe(configuration: .init(epochs: 3)).fit(train)
  let expected = FeatureStandardizer(fitting: train.features)
  #expect(fit.classifier.standardizer == expected)
  // Train stats: mean of the columns.
  let column0 = (0..<train.count).map { Double(train.features[$0, 0]) }
  #expect(abs(Double(expected.mean[0]) - column0.reduce(0, +) / Double(train.count)) < 1e-5)
  // A shifted test split is transformed with the train numbers, not re-centred.
  var shifted = train.features
  shifted.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] += 100 } }
  let standardized = fit.classifier.standardizer.apply(shifted)
  #expect(abs(standardized[0, 0] - (shifted[0, 0] - expected.mean[0]) / expected.std[0]) < 1e-3)
  #expect(abs(standardized.scalars.reduce(0, +) / Float(standardized.count)) > 10)
}

@Test func standardizerLeavesConstantDimensionsFinite() {
  let x = Tensor(shape: [3, 2], scalars: [1, 5, 2, 5, 3, 5])
  let s = FeatureStandardizer(fitting: x)
  #expect(s.std[1] == 1)
  #expect(abs(s.std[0] - Float((2.0 / 3).squareRoot())) < 1e-6)
  #expect(s.apply(x).scalars.allSatisfy { $0.isFinite })
}

@Test func linearProbeCapsTheLearningRateOnCollinearFeatures() throws {
  // 64 copies of one noisy signal: λ_max(XᵀX/N) ≈ 64, so the cap applies and training stays finite.
  let base = makeClusters(perClass: 40, classes: 2, dimension: 2, noise: 1, seed: 5)
  let column = (0..<base.count).map { base.features[$0, 0] - base.features[$0, 1] }
  let x = Tensor(shape: [base.count, 64], scalars: column.flatMap { [Float](repeating: $0, count: 64) })
  let set = FeatureSet(features: x, labels: base.labels, classCount: 2, split: "collinear")
  let result = try LinearProbe(configuration: .init(epochs: 10, learningRate: 1)).evaluate(train: set, test: set)
  #expect(result.appliedLearningRate < 0.05)
  #expect(result.finalLoss.isFinite && result.top1 > 0.9)
}

@Test func linearProbeRejectsBadInput() {
  let train = makeClusters(perClass: 5, classes: 2, dimension: 3, seed: 6)
  let narrow = makeClusters(perClass: 5, classes: 2, dimension: 2, seed: 6)
  #expect(throws: EvalError.self) {
    try LinearProbe(configuration: .init(epochs: 0)).evaluate(train: train, test: train)
  }
  #expect(throws: EvalError.self) { try LinearProbe().evaluate(train: train, test: narrow) }
}
