/// A two-dimensional PCA projection of features, for the embedding scatter plot.
///
/// The features are centred with their mean; the two leading eigenvectors of their
/// covariance `Σ = XᵀX / (N − 1)` come from power iteration (300 steps, in Double) with
/// deflation, started from a fixed vector, so the result is deterministic. Each
/// component's sign is chosen so that its largest-magnitude entry is positive.
public struct PrincipalComponents: Sendable {
  /// `[N, 2]` row-major: the projection of each sample onto the two components.
  public var projected: [Double]
  /// The variances along the two components (eigenvalues of Σ).
  public var variances: [Double]
  /// The total variance (trace of Σ), for "explained variance" fractions.
  public var totalVariance: Double

  /// Projects `features` (`rows × columns`, row-major) onto their two leading principal
  /// components.
  ///
  /// - Precondition: `features.count == rows * columns`, `rows ≥ 2`, `columns ≥ 1`.
  /// - Complexity: O(N·D²) for the covariance, O(D²) per power step.
  public init(features: [Float], rows: Int, columns: Int) {
    precondition(
      features.count == rows * columns && rows >= 2 && columns >= 1,
      "PCA needs rows ≥ 2 and columns ≥ 1 with rows·columns values; got \(features.count) for \(rows)×\(columns)")
    let d = columns
    var mean = [Double](repeating: 0, count: d)
    for r in 0..<rows { for c in 0..<d { mean[c] += Double(features[r * d + c]) } }
    for c in 0..<d { mean[c] /= Double(rows) }
    var covariance = [Double](repeating: 0, count: d * d)
    var centred = [Double](repeating: 0, count: d)
    for r in 0..<rows {
      for c in 0..<d { centred[c] = Double(features[r * d + c]) - mean[c] }
      for i in 0..<d where centred[i] != 0 {
        let xi = centred[i]
        for j in i..<d { covariance[i * d + j] += xi * centred[j] }
      }
    }
    for i in 0..<d {
      for j in i..<d {
        covariance[i * d + j] /= Double(rows - 1)
        covariance[j * d + i] = covariance[i * d + j]
      }
    }
    totalVariance = (0..<d).reduce(0) { $0 + covariance[$1 * d + $1] }
    var components: [[Double]] = []
    variances = []
    var matrix = covariance
    for component in 0..<min(2, d) {
      var v = (0..<d).map { 1 + Double($0 % 7) * 0.1 + Double(component) }
      var eigenvalue = 0.0
      for _ in 0..<300 {
        var w = [Double](repeating: 0, count: d)
        for i in 0..<d {
          var sum = 0.0
          for j in 0..<d { sum += matrix[i * d + j] * v[j] }
          w[i] = sum
        }
        let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-300 else { break }
        eigenvalue = norm
        v = w.map { $0 / norm }
      }
      if let largest = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[largest] < 0 { v = v.map { -$0 } }
      components.append(v)
      variances.append(eigenvalue)
      for i in 0..<d { for j in 0..<d { matrix[i * d + j] -= eigenvalue * v[i] * v[j] } }
    }
    while components.count < 2 {
      components.append([Double](repeating: 0, count: d))
      variances.append(0)
    }
    var projected = [Double](repeating: 0, count: rows * 2)
    for r in 0..<rows {
      for (k, v) in components.enumerated() {
        var sum = 0.0
        for c in 0..<d { sum += (Double(features[r * d + c]) - mean[c]) * v[c] }
        projected[r * 2 + k] = sum
      }
    }
    self.projected = projected
  }

  /// The fraction of the total variance along component `index` (0 or 1).
  public func explainedFraction(_ index: Int) -> Double {
    totalVariance > 0 ? variances[index] / totalVariance : 0
  }
}
