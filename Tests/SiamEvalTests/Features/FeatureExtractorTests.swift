import SiamData
import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@testable import SiamEval

@Test func extractionMatchesADirectForwardAndRestoresTrainingMode() throws {
  let dataset = makeHalvesDataset(count: 7, seed: 1, name: "halves/train")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [10, 5], hasBatchNorm: true, key: RandomKey(seed: 2))
  // Give BatchNorm non-trivial running statistics, then leave one submodule in eval mode.
  let all = Tensor(shape: [7, 1, 6, 6], scalars: floatPixels(dataset))
  _ = encoder(all)
  let batchNorm = encoder.namedModules().first { $0.module is BatchNorm1d }!.module
  batchNorm.eval()
  let modesBefore = encoder.namedModules().map(\.module.isTraining)

  let features = try FeatureExtractor(batchSize: 3).extract(encoder: encoder, dataset: dataset)

  #expect(encoder.namedModules().map(\.module.isTraining) == modesBefore)
  #expect(features.features.shape == [7, 5])
  #expect(features.labels == dataset.labels && features.split == "halves/train" && features.classCount == 2)
  encoder.eval()
  expectClose(features.features, encoder(all), absolute: 1e-6, relative: 1e-5)
}

@Test func extractionAppliesNormalization() throws {
  let dataset = makeHalvesDataset(count: 4, seed: 3, name: "halves")
  let encoder = MLPEncoder(inputFeatures: 36, widths: [4], key: RandomKey(seed: 4))
  let normalize = Normalize(mean: [0.5], std: [0.25])
  let features = try FeatureExtractor(batchSize: 4, normalize: normalize).extract(encoder: encoder, dataset: dataset)
  let normalized = Tensor(shape: [4, 1, 6, 6], scalars: floatPixels(dataset).map { ($0 - 0.5) / 0.25 })
  expectClose(features.features, encoder(normalized), absolute: 1e-5, relative: 1e-5)
}

@Test func extractionRejectsAnEmptyDataset() {
  let empty = Dataset(name: "empty", imageShape: [1, 2, 2], classCount: 2, pixels: .float32([]), labels: [])
  let encoder = MLPEncoder(inputFeatures: 4, widths: [2], key: RandomKey(seed: 5))
  #expect(throws: EvalError.self) { try FeatureExtractor().extract(encoder: encoder, dataset: empty) }
}
