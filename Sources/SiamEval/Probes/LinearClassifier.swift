import SiamTensor

/// A trained linear probe: standardisation with the train split's statistics, then
/// `x · Wᵀ + b`.
///
/// Shapes: features `[N, D]` → scores `[N, C]`; `weight` `C·D` values (`[C, D]`, PyTorch
/// layout), `bias` `C` values.
public struct LinearClassifier: Codable, Sendable, Hashable {
  /// The train split's statistics, applied to every split.
  public var standardizer: FeatureStandardizer
  /// `[C, D]` row-major.
  public var weight: [Float]
  /// `[C]`.
  public var bias: [Float]

  public init(standardizer: FeatureStandardizer, weight: [Float], bias: [Float]) {
    precondition(
      weight.count == bias.count * standardizer.dimension,
      "weight has \(weight.count) values for \(bias.count) classes of width \(standardizer.dimension)")
    self.standardizer = standardizer
    self.weight = weight
    self.bias = bias
  }

  /// `C`.
  public var classCount: Int { bias.count }
  /// `D`.
  public var dimension: Int { standardizer.dimension }

  /// Class scores (logits) of raw (unstandardised) features: `[N, D] → [N, C]`.
  public func scores(_ features: Tensor) -> Tensor {
    linear(
      standardizer.apply(features),
      weight: Tensor(shape: [classCount, dimension], scalars: weight), bias: Tensor(bias))
  }

  /// Top-1/top-5 and confusion matrix on a labelled split.
  public func metrics(on set: FeatureSet) -> ClassificationMetrics {
    ClassificationMetrics(scores: scores(set.features).scalars, labels: set.labels, classCount: classCount)
  }

  /// Mean cross entropy on a labelled split (no regularisation term).
  public func crossEntropyLoss(on set: FeatureSet) -> Double {
    Double(crossEntropy(logits: scores(set.features), labels: set.labels).scalar)
  }
}
