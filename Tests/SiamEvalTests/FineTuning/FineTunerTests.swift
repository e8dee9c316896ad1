import SiamData
import SiamNN
import SiamTensor
import Testing

@testable import SiamEval

@Test func fineTuningLearnsATinyTask() throws {
  let train = makeHalvesDataset(count: 64, seed: 1, name: "halves/train")
  let test = makeHalvesDataset(count: 40, seed: 2, name: "halves/test")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [16], key: RandomKey(seed: 3))
  let configuration = FineTuner.Configuration(epochs: 8, batchSize: 16, learningRate: 0.05)
  var progress: [TrainingProgress] = []
  let result = try FineTuner(configuration: configuration).run(
    encoder: encoder, train: train, test: test,
    augmentation: AugmentationChain().appending(HorizontalFlip(), probability: 0.5),
    progress: { progress.append($0) })
  #expect(result.top1 >= 0.95, "test top-1 \(result.top1)")
  // Every step is reported: 8 epochs of 64 / 16 = 4 steps.
  #expect(progress.count == 32 && progress.map(\.step) == Array(repeating: [0, 1, 2, 3], count: 8).flatMap { $0 })
  #expect(
    progress.last!.epoch == 7
      && progress.allSatisfy { $0.epochs == 8 && $0.stepsPerEpoch == 4 && $0.loss?.isFinite == true })
  #expect(result.epochLosses.last! < result.epochLosses.first!)
  #expect(result.protocol.kind == .finetune && result.protocol.epochs == 8 && result.labelledCount == 64)
  #expect(encoder.isTraining)
}

@Test func semiSupervisedUsesTheLabelledFraction() throws {
  let train = makeHalvesDataset(count: 80, seed: 4, name: "halves/train")
  let test = makeHalvesDataset(count: 20, seed: 5, name: "halves/test")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [8], key: RandomKey(seed: 6))
  let configuration = FineTuner.Configuration(
    epochs: 10, batchSize: 8, optimizer: .adamw, learningRate: 0.01, labelFraction: 0.25)
  let result = try FineTuner(configuration: configuration).run(encoder: encoder, train: train, test: test)
  #expect(result.labelledCount == 20)
  #expect(result.protocol.kind == .semiSupervised && result.protocol.labelFraction == 0.25)
  #expect(result.top1 >= 0.9, "test top-1 \(result.top1)")
}

@Test(arguments: OptimizerKind.allCases) func everyOptimizerKindFineTunes(_ kind: OptimizerKind) throws {
  let train = makeHalvesDataset(count: 80, seed: 4, name: "halves/train")
  let test = makeHalvesDataset(count: 20, seed: 5, name: "halves/test")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [8], key: RandomKey(seed: 6))
  let configuration = FineTuner.Configuration(
    epochs: 10, batchSize: 8, optimizer: kind, learningRate: kind == .adamw ? 0.01 : 0.1)
  let result = try FineTuner(configuration: configuration).run(encoder: encoder, train: train, test: test)
  #expect(result.top1 >= 0.9, "\(kind): test top-1 \(result.top1)")
}

@Test func fineTuningRejectsShapeChangingAugmentation() {
  let data = makeHalvesDataset(count: 8, seed: 7, name: "halves")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [4], key: RandomKey(seed: 8))
  #expect(throws: EvalError.self) {
    try FineTuner().run(
      encoder: encoder, train: data, test: data,
      augmentation: AugmentationChain().appending(RandomCrop(size: 4)))
  }
  #expect(throws: EvalError.self) {
    try FineTuner(configuration: .init(epochs: 0)).run(encoder: encoder, train: data, test: data)
  }
}
