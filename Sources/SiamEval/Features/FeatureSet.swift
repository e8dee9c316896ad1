import SiamTensor

/// Frozen features of one split with their labels: what the probes consume.
///
/// Shapes: `features` `[N, D]`, `labels` `N` values in `0..<classCount`.
public struct FeatureSet: Sendable {
  /// `[N, D]`.
  public var features: Tensor
  public var labels: [Int]
  public var classCount: Int
  /// The split these features come from (`fashion-mnist/train`), for protocol records.
  public var split: String
  /// The representation (`encoder output`, `raw pixels`).
  public var featureLayer: String

  /// - Precondition: `features` is `[N, D]` with `N == labels.count`.
  public init(features: Tensor, labels: [Int], classCount: Int, split: String, featureLayer: String = "encoder output")
  {
    precondition(
      features.rank == 2 && features.shape[0] == labels.count,
      "features \(features.shape) do not match \(labels.count) labels")
    self.features = features
    self.labels = labels
    self.classCount = classCount
    self.split = split
    self.featureLayer = featureLayer
  }

  /// `N`.
  public var count: Int { labels.count }
  /// `D`.
  public var dimension: Int { features.shape[1] }

  /// Throws unless every label is in `0..<classCount` and there is at least one sample.
  func validate(_ name: String) throws {
    guard count > 0 else { throw EvalError(.invalidInput, key: name, "\(split) has no samples") }
    if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
      throw EvalError(.invalidInput, key: name, "\(split) has label \(bad) outside 0..<\(classCount)")
    }
  }

  /// Throws unless `train` and `test` have the same width and class count.
  static func validatePair(train: FeatureSet, test: FeatureSet) throws {
    try train.validate("train")
    try test.validate("test")
    guard train.dimension == test.dimension else {
      throw EvalError(
        .invalidInput, key: "test.features",
        "train features have width \(train.dimension), test features \(test.dimension)")
    }
    guard train.classCount == test.classCount else {
      throw EvalError(
        .invalidInput, key: "test.labels",
        "train split has \(train.classCount) classes, test split \(test.classCount)")
    }
  }
}
