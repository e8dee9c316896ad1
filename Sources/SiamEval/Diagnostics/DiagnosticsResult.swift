import SiamTensor

/// The representation diagnostics of one split, with their protocol.
public struct DiagnosticsResult: Codable, Sendable, Hashable {
  public var `protocol`: EvaluationProtocol
  /// `E‖f(x) − f(y)‖²` over positive pairs (α = 2); nil when no second view was given.
  public var alignment: Double?
  /// `log E exp(−2‖f(x) − f(y)‖²)` over pairs (t = 2).
  public var uniformity: Double
  /// RankMe effective rank, in `[1, D]` (0 for all-zero features).
  public var effectiveRank: Double
  /// Mean over dimensions of the per-dimension std of L2-normalised features.
  public var meanDimensionStd: Double
  /// Minimum over dimensions of that std.
  public var minDimensionStd: Double
  /// `1/√D`, the per-dimension std of features spread evenly on the sphere.
  public var referenceDimensionStd: Double
  /// `N`, `D`, and the number of points used for uniformity.
  public var sampleCount: Int
  public var dimension: Int
  public var uniformitySampleCount: Int

  /// Measures every diagnostic of `features` `[N, D]`; alignment when `pairedViews`
  /// (two `[M, D]` tensors, row `i` of each from two augmentations of one image) is given.
  public static func measure(
    _ features: FeatureSet, pairedViews: (Tensor, Tensor)? = nil,
    maximumUniformitySamples: Int = RepresentationDiagnostics.maximumUniformitySamples
  ) throws -> DiagnosticsResult {
    try features.validate("features")
    guard features.count >= 2 else {
      throw EvalError(.invalidInput, key: "features", "diagnostics need at least 2 samples, got \(features.count)")
    }
    if let views = pairedViews {
      let (a, b) = views
      guard a.shape == b.shape, a.rank == 2, a.shape[0] > 0, a.shape[1] == features.dimension else {
        throw EvalError(
          .invalidInput, key: "views",
          "paired views must be two non-empty [M, \(features.dimension)] tensors, got \(a.shape) and \(b.shape)")
      }
    }
    let x = features.features
    let stds = RepresentationDiagnostics.dimensionStds(x)
    let used = min(features.count, maximumUniformitySamples)
    let record = EvaluationProtocol(
      kind: .diagnostics, featureLayer: features.featureLayer, trainSplit: nil, evaluationSplit: features.split,
      settings: [
        "alignment_alpha": "2", "uniformity_t": "2", "uniformity_samples": "\(used)",
        "effective_rank": "RankMe, uncentred, no epsilon", "normalization": "l2",
      ])
    return DiagnosticsResult(
      protocol: record,
      alignment: pairedViews.map { RepresentationDiagnostics.alignment($0.0, $0.1) },
      uniformity: RepresentationDiagnostics.uniformity(x, maximumSamples: maximumUniformitySamples),
      effectiveRank: RepresentationDiagnostics.effectiveRank(x),
      meanDimensionStd: stds.reduce(0, +) / Double(max(1, stds.count)),
      minDimensionStd: stds.min() ?? 0,
      referenceDimensionStd: 1 / Double(features.dimension).squareRoot(),
      sampleCount: features.count, dimension: features.dimension, uniformitySampleCount: used)
  }
}
