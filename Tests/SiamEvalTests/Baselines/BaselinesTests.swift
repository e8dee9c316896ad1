import SiamData
import SiamNN
import SiamTensor
import Testing

@testable import SiamEval

@Test func rawPixelFeaturesFlattenTheImages() {
  let bytes = Dataset(
    name: "bytes", imageShape: [1, 1, 2], classCount: 2, pixels: .uint8([0, 255, 51, 102]), labels: [1, 0])
  let features = Baselines.rawPixelFeatures(bytes)
  #expect(features.features.shape == [2, 2])
  #expect(features.features.scalars == bytes.image(at: 0).pixels + bytes.image(at: 1).pixels)
  #expect(features.features[0, 1] == 1)
  #expect(features.featureLayer == Baselines.rawPixelLayer && features.labels == [1, 0])
}

@Test func rawPixelProbesSolveTheHalvesTask() throws {
  let train = makeHalvesDataset(count: 60, seed: 1, name: "halves/train")
  let test = makeHalvesDataset(count: 30, seed: 2, name: "halves/test")
  let knn = try Baselines.rawPixelKNN(train: train, test: test, configuration: .init(k: 20))
  #expect(knn.top1 >= 0.95 && knn.protocol.featureLayer == "raw pixels")
  let linear = try Baselines.rawPixelLinearProbe(
    train: train, test: test, configuration: .init(epochs: 10, batchSize: 16))
  #expect(linear.top1 >= 0.95)
}

@Test func randomEncoderFeaturesComeFromAFreshEncoder() throws {
  let train = makeHalvesDataset(count: 10, seed: 3, name: "halves/train")
  let test = makeHalvesDataset(count: 6, seed: 4, name: "halves/test")
  let configuration = EncoderConfiguration.mlp(widths: [7])
  let (a, b) = try Baselines.randomEncoderFeatures(encoder: configuration, seed: 5, train: train, test: test)
  #expect(a.features.shape == [10, 7] && b.features.shape == [6, 7])
  #expect(a.featureLayer == Baselines.randomEncoderLayer)
  let again = try Baselines.randomEncoderFeatures(encoder: configuration, seed: 5, train: train, test: test)
  #expect(again.train.features.isBitIdentical(to: a.features))
}

@Test func supervisedBaselineLearnsFromScratch() throws {
  let train = makeHalvesDataset(count: 64, seed: 6, name: "halves/train")
  let test = makeHalvesDataset(count: 30, seed: 7, name: "halves/test")
  let result = try Baselines.supervised(
    encoder: .mlp(widths: [16]), train: train, test: test, training: .init(epochs: 8, batchSize: 16, learningRate: 0.05)
  )
  #expect(result.protocol.kind == .supervised)
  #expect(result.top1 >= 0.95, "test top-1 \(result.top1)")
}

@Test func baselinesRunOnTheSyntheticDataset() throws {
  let train = try SyntheticDataset.make(classes: 4, count: 80, channels: 1, size: 8, seed: 1, split: .train)
  let test = try SyntheticDataset.make(classes: 4, count: 24, channels: 1, size: 8, seed: 1, split: .test)
  let pixels = Baselines.rawPixelFeatures(train)
  #expect(pixels.features.shape == [80, 64])
  #expect(Array(pixels.features.scalars[64..<128]) == train.image(at: 1).pixels)
  let knn = try Baselines.rawPixelKNN(train: train, test: test, configuration: .init(k: 20))
  let linear = try Baselines.rawPixelLinearProbe(train: train, test: test, configuration: .init(epochs: 5))
  #expect(knn.protocol.trainSplit == train.name && knn.protocol.evaluationSplit == test.name)
  #expect((0...1).contains(knn.top1) && (0...1).contains(linear.top1) && linear.top5 == 1)
  // A random encoder's features equal a direct eval-mode forward of the images.
  let (features, _) = try Baselines.randomEncoderFeatures(
    encoder: .mlp(widths: [6]), seed: 2, train: train, test: test,
    extractor: FeatureExtractor(batchSize: 32))
  let encoder = EncoderConfiguration.mlp(widths: [6]).makeEncoder(inputShape: [1, 8, 8], key: RandomKey(seed: 2))
  encoder.eval()
  let images = Tensor(shape: [80, 1, 8, 8], scalars: (0..<80).flatMap { train.image(at: $0).pixels })
  #expect(
    features.features.isBitIdentical(to: encoder(images)) || maxDifference(features.features, encoder(images)) < 1e-6)
}

func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
  zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}
