import Foundation
import SiamTensor

/// Eigenvalues of a real symmetric matrix, in Double: LAPACK's `dsyevd` from OpenBLAS
/// (`BLAS.symmetricEigenvalues`) when it is there, else the cyclic Jacobi method below.
///
/// Each sweep visits every off-diagonal pair `(p, q)` and applies the rotation that
/// zeroes `a_pq` (Golub & Van Loan, Algorithm 8.5.3, with the stable choice of `t`).
/// Sweeps stop when the off-diagonal Frobenius norm is below `tolerance · ‖A‖_F` or
/// after `maximumSweeps`. Convergence is quadratic; 6–10 sweeps are typical.
///
/// - Complexity: Jacobi: about `4·n³` flops per sweep, fine for `n ≤ 512` (a few seconds
///   at 512, many minutes at 2048, the features of a `convnet` with `pool: 4`); LAPACK:
///   about a second at 2048.
public enum SymmetricEigen {
  /// The eigenvalues of `matrix` (`n × n`, row-major, symmetric), sorted descending.
  ///
  /// - Precondition: `matrix.count == n·n` and the matrix is symmetric (only the upper
  ///   triangle is read; the lower is taken as its mirror).
  public static func eigenvalues(of matrix: [Double], dimension n: Int) -> [Double] {
    precondition(matrix.count == n * n, "a \(n)×\(n) matrix needs \(n * n) values, got \(matrix.count)")
    if let values = BLAS.symmetricEigenvalues(matrix, dimension: n) { return values.sorted(by: >) }
    return jacobiEigenvalues(of: matrix, dimension: n)
  }

  /// The eigenvalues by cyclic Jacobi (the fallback, and the tests' second implementation),
  /// sorted descending.
  public static func jacobiEigenvalues(
    of matrix: [Double], dimension n: Int, tolerance: Double = 1e-14, maximumSweeps: Int = 60
  ) -> [Double] {
    precondition(matrix.count == n * n, "a \(n)×\(n) matrix needs \(n * n) values, got \(matrix.count)")
    guard n > 0 else { return [] }
    var a = matrix
    for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }
    let total = a.reduce(0) { $0 + $1 * $1 }.squareRoot()
    guard total > 0 else { return [Double](repeating: 0, count: n) }
    for _ in 0..<maximumSweeps {
      var off = 0.0
      for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += 2 * a[p * n + q] * a[p * n + q] } }
      if off.squareRoot() <= tolerance * total { break }
      for p in 0..<(n - 1) {
        for q in (p + 1)..<n where a[p * n + q] != 0 {
          rotate(&a, n: n, p: p, q: q)
        }
      }
    }
    return (0..<n).map { a[$0 * n + $0] }.sorted(by: >)
  }

  /// Applies the Jacobi rotation that zeroes `a[p, q]` (and `a[q, p]`), in place.
  private static func rotate(_ a: inout [Double], n: Int, p: Int, q: Int) {
    let apq = a[p * n + q]
    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
    let c = 1 / (t * t + 1).squareRoot()
    let s = t * c
    a.withUnsafeMutableBufferPointer { m in
      // A ← Jᵀ A J: rows p, q then columns p, q.
      for k in 0..<n {
        let (akp, akq) = (m[k * n + p], m[k * n + q])
        m[k * n + p] = c * akp - s * akq
        m[k * n + q] = s * akp + c * akq
      }
      for k in 0..<n {
        let (apk, aqk) = (m[p * n + k], m[q * n + k])
        m[p * n + k] = c * apk - s * aqk
        m[q * n + k] = s * apk + c * aqk
      }
      m[p * n + q] = 0
      m[q * n + p] = 0
    }
  }
}
