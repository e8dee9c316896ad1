import SiamTensor

/// Per-dimension standardisation `(x − μ) / σ` with `μ`, `σ` measured on one split (the
/// train split) and applied unchanged to every other split.
///
/// `σ` is the population standard deviation, accumulated in Double; a dimension with
/// `σ < minimumStd` (constant, e.g. a dead ReLU unit) is divided by 1 instead, so it
/// stays (nearly) constant rather than blowing up.
public struct FeatureStandardizer: Codable, Sendable, Hashable {
  /// Floor below which a dimension is treated as constant.
  public static let minimumStd: Float = 1e-6

  /// `μ`, `D` values.
  public var mean: [Float]
  /// `σ` as applied (1 for constant dimensions), `D` values.
  public var std: [Float]

  public init(mean: [Float], std: [Float]) {
    precondition(mean.count == std.count, "mean has \(mean.count) values, std \(std.count)")
    self.mean = mean
    self.std = std
  }

  /// Measures `μ` and `σ` of `features` `[N, D]`.
  ///
  /// - Complexity: O(N·D).
  public init(fitting features: Tensor) {
    precondition(
      features.rank == 2 && features.shape[0] > 0, "standardizer needs [N, D] features, got \(features.shape)")
    let (n, d) = (features.shape[0], features.shape[1])
    var sum = [Double](repeating: 0, count: d)
    var sumOfSquares = [Double](repeating: 0, count: d)
    features.withUnsafeBufferPointer { x in
      for row in 0..<n {
        let base = row * d
        for j in 0..<d { sum[j] += Double(x[base + j]) }
      }
      for row in 0..<n {
        let base = row * d
        for j in 0..<d {
          let centred = Double(x[base + j]) - sum[j] / Double(n)
          sumOfSquares[j] += centred * centred
        }
      }
    }
    mean = sum.map { Float($0 / Double(n)) }
    std = sumOfSquares.map { value in
      let s = Float((value / Double(n)).squareRoot())
      return s < Self.minimumStd ? 1 : s
    }
  }

  /// `D`.
  public var dimension: Int { mean.count }

  /// `(x − μ) / σ` of `features` `[N, D]` → `[N, D]`.
  public func apply(_ features: Tensor) -> Tensor {
    precondition(
      features.rank == 2 && features.shape[1] == dimension,
      "standardizer of width \(dimension) applied to \(features.shape)")
    let d = dimension
    var result = features.detached()
    let inverse = std.map { 1 / $0 }
    result.withUnsafeMutableBufferPointer { x in
      for row in 0..<features.shape[0] {
        let base = row * d
        for j in 0..<d { x[base + j] = (x[base + j] - mean[j]) * inverse[j] }
      }
    }
    return result
  }
}
