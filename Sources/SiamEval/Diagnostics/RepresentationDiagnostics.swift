import Foundation
import SiamTensor

/// Label-free statistics of a representation, each computed in Double.
///
/// - Alignment (Wang & Isola 2020): `E ‖f(x) − f(y)‖₂^α` over positive pairs, `α = 2`,
///   on L2-normalised features (0 is perfect; 4 is the maximum for α = 2).
/// - Uniformity (Wang & Isola 2020): `log E exp(−t‖f(x) − f(y)‖₂²)` over all pairs of
///   distinct samples, `t = 2`, on L2-normalised features (lower is more uniform; 0 means
///   every feature is the same point).
/// - Effective rank (RankMe, Garrido et al. 2023): `exp(−Σ pₖ log pₖ)` with
///   `pₖ = σₖ / Σσ`, `σₖ` the singular values of the (uncentred) `[N, D]` feature
///   matrix; terms with `pₖ = 0` contribute 0 (no ε is added, so `r` equal non-zero
///   singular values give exactly `r`).
/// - Per-dimension std of L2-normalised features (population std over samples): its
///   mean and minimum; collapse drives them to 0, a spread-out representation has about
///   `1/√D`.
public enum RepresentationDiagnostics {
  /// Largest sample used for uniformity (the pairwise sum is quadratic).
  public static let maximumUniformitySamples = 5000

  /// `E ‖f(x) − f(y)‖₂^α` over rows of two views `[N, D]` (row `i` of each is a pair).
  public static func alignment(_ first: Tensor, _ second: Tensor, alpha: Double = 2) -> Double {
    precondition(
      first.shape == second.shape && first.rank == 2 && first.shape[0] > 0,
      "alignment needs two [N, D] views of one shape, got \(first.shape) and \(second.shape)")
    let (n, d) = (first.shape[0], first.shape[1])
    let a = normalizedRows(first)
    let b = normalizedRows(second)
    var total = 0.0
    for row in 0..<n {
      var squared = 0.0
      for j in 0..<d {
        let diff = a[row * d + j] - b[row * d + j]
        squared += diff * diff
      }
      total += alpha == 2 ? squared : Foundation.pow(squared.squareRoot(), alpha)
    }
    return total / Double(n)
  }

  /// `log E_{i<j} exp(−t‖f_i − f_j‖²)` over the rows of `[N, D]` (L2-normalised first).
  ///
  /// With `N > maximumSamples` the rows `⌊i·N/M⌋`, `i < M`, are used (evenly spaced, so
  /// the subsample is deterministic and needs no key).
  /// - Precondition: at least two rows.
  /// - Complexity: `O(M²·D)`.
  public static func uniformity(_ features: Tensor, t: Double = 2, maximumSamples: Int = maximumUniformitySamples)
    -> Double
  {
    precondition(
      features.rank == 2 && features.shape[0] >= 2, "uniformity needs [N ≥ 2, D] features, got \(features.shape)")
    let (n, d) = (features.shape[0], features.shape[1])
    let m = min(n, maximumSamples)
    let all = normalizedRows(features)
    var x = [Float](repeating: 0, count: m * d)
    var squaredNorms = [Double](repeating: 0, count: m)
    for i in 0..<m {
      let source = (i * n / m) * d
      for j in 0..<d {
        x[i * d + j] = Float(all[source + j])
        squaredNorms[i] += all[source + j] * all[source + j]
      }
    }
    // ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b, the dot products a block of rows at a time (sgemm).
    let points = Tensor(shape: [m, d], scalars: x)
    let blockRows = 512
    var sum = 0.0
    var start = 0
    while start < m - 1 {
      let end = min(m, start + blockRows)
      let dots = matmul(points[rows: start..<end], points, transposeB: true).scalars
      for i in start..<end {
        let base = (i - start) * m
        var rowSum = 0.0
        for k in (i + 1)..<max(i + 1, m) {
          let squared = max(0, squaredNorms[i] + squaredNorms[k] - 2 * Double(dots[base + k]))
          rowSum += Foundation.exp(-t * squared)
        }
        sum += rowSum
      }
      start = end
    }
    return Foundation.log(sum / Double(m * (m - 1) / 2))
  }

  /// The singular values of `[N, D]` features, descending: square roots of the
  /// eigenvalues of the Gram matrix `FᵀF` (`D × D`, accumulated in Double; negative
  /// round-off eigenvalues are clamped to 0), by `SymmetricEigen`.
  public static func singularValues(_ features: Tensor) -> [Double] {
    precondition(features.rank == 2, "singular values need [N, D] features, got \(features.shape)")
    let (n, d) = (features.shape[0], features.shape[1])
    var gram = [Double](repeating: 0, count: d * d)
    features.withUnsafeBufferPointer { f in
      var row = [Double](repeating: 0, count: d)
      for i in 0..<n {
        for j in 0..<d { row[j] = Double(f[i * d + j]) }
        for p in 0..<d where row[p] != 0 {
          let value = row[p]
          for q in p..<d { gram[p * d + q] += value * row[q] }
        }
      }
    }
    return SymmetricEigen.eigenvalues(of: gram, dimension: d).map { max(0, $0).squareRoot() }
  }

  /// RankMe's effective rank of `[N, D]` features (see the type's documentation).
  public static func effectiveRank(_ features: Tensor) -> Double {
    effectiveRank(singularValues: singularValues(features))
  }

  /// `exp(−Σ pₖ log pₖ)`, `pₖ = σₖ / Σσ`; 0 for an all-zero spectrum.
  public static func effectiveRank(singularValues: [Double]) -> Double {
    let total = singularValues.reduce(0, +)
    guard total > 0 else { return 0 }
    var entropy = 0.0
    for sigma in singularValues where sigma > 0 {
      let p = sigma / total
      entropy -= p * Foundation.log(p)
    }
    return Foundation.exp(entropy)
  }

  /// The population std over samples of each dimension of the L2-normalised features.
  public static func dimensionStds(_ features: Tensor) -> [Double] {
    precondition(
      features.rank == 2 && features.shape[0] > 0, "dimension stds need [N, D] features, got \(features.shape)")
    let (n, d) = (features.shape[0], features.shape[1])
    let x = normalizedRows(features)
    var mean = [Double](repeating: 0, count: d)
    for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
    mean = mean.map { $0 / Double(n) }
    var variance = [Double](repeating: 0, count: d)
    for i in 0..<n {
      for j in 0..<d {
        let centred = x[i * d + j] - mean[j]
        variance[j] += centred * centred
      }
    }
    return variance.map { ($0 / Double(n)).squareRoot() }
  }

  /// Rows of `[N, D]` divided by their L2 norm (zero rows stay zero), in Double.
  static func normalizedRows(_ features: Tensor) -> [Double] {
    let (n, d) = (features.shape[0], features.shape[1])
    var x = features.scalars.map(Double.init)
    for i in 0..<n {
      var squared = 0.0
      for j in 0..<d { squared += x[i * d + j] * x[i * d + j] }
      guard squared > 0 else { continue }
      let inverse = 1 / squared.squareRoot()
      for j in 0..<d { x[i * d + j] *= inverse }
    }
    return x
  }
}
