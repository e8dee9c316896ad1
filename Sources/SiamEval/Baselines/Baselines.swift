import SiamData
import SiamNN
import SiamTensor

/// The reference points that give every number context: raw pixels, the same encoder
/// left at its random initialisation, and supervised training from scratch.
public enum Baselines {
  /// The name recorded for pixel features.
  public static let rawPixelLayer = "raw pixels"
  /// The name recorded for features of an untrained encoder.
  public static let randomEncoderLayer = "encoder output (random init)"

  /// Every image flattened to `C·H·W` pixel values (bytes / 255 for 8-bit data):
  /// `[N, C·H·W]` features with the dataset's labels.
  public static func rawPixelFeatures(_ dataset: Dataset) -> FeatureSet {
    let width = dataset.imageShape.reduce(1, *)
    let values: [Float]
    switch dataset.pixels {
    case .uint8(let bytes): values = bytes.map { Float($0) * (1 / 255) }
    case .float32(let floats): values = floats
    }
    return FeatureSet(
      features: Tensor(shape: [dataset.count, width], scalars: values), labels: dataset.labels,
      classCount: dataset.classCount, split: dataset.name, featureLayer: rawPixelLayer)
  }

  /// The linear probe on raw pixels.
  public static func rawPixelLinearProbe(
    train: Dataset, test: Dataset, configuration: LinearProbe.Configuration = .init()
  ) throws -> LinearProbeResult {
    try LinearProbe(configuration: configuration).evaluate(train: rawPixelFeatures(train), test: rawPixelFeatures(test))
  }

  /// The weighted kNN on raw pixels (cosine similarity of the flattened images).
  public static func rawPixelKNN(
    train: Dataset, test: Dataset, configuration: WeightedKNN.Configuration = .init()
  ) throws -> KNNResult {
    try WeightedKNN(configuration: configuration).evaluate(train: rawPixelFeatures(train), test: rawPixelFeatures(test))
  }

  /// Features of a freshly initialised encoder (`configuration.makeEncoder` with
  /// `RandomKey(seed: seed)`), for the same linear and kNN protocols as a trained one.
  public static func randomEncoderFeatures(
    encoder configuration: EncoderConfiguration, seed: UInt64, train: Dataset, test: Dataset,
    extractor: FeatureExtractor = FeatureExtractor()
  ) throws -> (train: FeatureSet, test: FeatureSet) {
    let encoder = configuration.makeEncoder(inputShape: train.imageShape, key: RandomKey(seed: seed))
    return (
      try extractor.extract(encoder: encoder, dataset: train, featureLayer: randomEncoderLayer),
      try extractor.extract(encoder: encoder, dataset: test, featureLayer: randomEncoderLayer)
    )
  }

  /// Supervised training from scratch: a fresh encoder (`RandomKey(seed).folded(in:
  /// "encoder")`) and a linear head trained end to end with cross entropy on all train
  /// labels (or `configuration.labelFraction` of them), evaluated on `test`.
  public static func supervised(
    encoder configuration: EncoderConfiguration, train: Dataset, test: Dataset,
    training: FineTuner.Configuration = .init(), augmentation: AugmentationChain? = nil, normalize: Normalize? = nil
  ) throws -> FineTuneResult {
    let encoder = configuration.makeEncoder(
      inputShape: train.imageShape, key: RandomKey(seed: training.seed).folded(in: "encoder"))
    return try FineTuner(configuration: training).run(
      encoder: encoder, train: train, test: test, augmentation: augmentation, normalize: normalize,
      kind: .supervised, featureLayer: "encoder output (trained from scratch)")
  }
}
