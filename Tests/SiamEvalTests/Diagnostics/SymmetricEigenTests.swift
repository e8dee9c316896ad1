import Foundation
import SiamTensor
import Testing

@testable import SiamEval

@Test func jacobiFindsKnownEigenvalues() {
  // [[2, 1], [1, 2]] → 3, 1.
  expectEigenvalues(SymmetricEigen.eigenvalues(of: [2, 1, 1, 2], dimension: 2), [3, 1])
  // Diagonal.
  expectEigenvalues(SymmetricEigen.eigenvalues(of: [5, 0, 0, 0, -1, 0, 0, 0, 2], dimension: 3), [5, 2, -1])
  // The 1-2-1 tridiagonal matrix of order n: 2 − 2cos(kπ/(n+1)).
  let n = 12
  var a = [Double](repeating: 0, count: n * n)
  for i in 0..<n {
    a[i * n + i] = 2
    if i + 1 < n {
      a[i * n + i + 1] = -1
      a[(i + 1) * n + i] = -1
    }
  }
  let expected = (1...n).map { 2 - 2 * cos(Double($0) * .pi / Double(n + 1)) }.sorted(by: >)
  expectEigenvalues(SymmetricEigen.eigenvalues(of: a, dimension: n), expected)
}

@Test func jacobiRecoversARotatedSpectrum() {
  // Q·diag(λ)·Qᵀ with Q a product of Givens rotations.
  let n = 6
  let lambda: [Double] = [9, 4, 4, 1, 0, -2]
  var q = [Double](repeating: 0, count: n * n)
  for i in 0..<n { q[i * n + i] = 1 }
  for (p, r, angle) in [(0, 3, 0.7), (1, 4, -1.1), (2, 5, 0.3), (0, 1, 2.0), (3, 4, 0.9)] {
    let (c, s) = (cos(angle), sin(angle))
    for k in 0..<n {
      let (a, b) = (q[k * n + p], q[k * n + r])
      q[k * n + p] = c * a - s * b
      q[k * n + r] = s * a + c * b
    }
  }
  var m = [Double](repeating: 0, count: n * n)
  for i in 0..<n { for j in 0..<n { for k in 0..<n { m[i * n + j] += q[i * n + k] * lambda[k] * q[j * n + k] } } }
  expectEigenvalues(SymmetricEigen.eigenvalues(of: m, dimension: n), lambda)
}

/// Both implementations on the known spectra: LAPACK (what `eigenvalues` uses with
/// OpenBLAS) and Jacobi (the fallback).
@Test func lapackAndJacobiAgreeAndReadOnlyTheUpperTriangle() throws {
  #expect(BLAS.isAvailable, "OpenBLAS is part of the set-up")
  // A random symmetric 40 × 40 matrix with garbage below the diagonal.
  let n = 40
  var state: UInt64 = 42
  func next() -> Double {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Double(state >> 11) / Double(1 << 53) - 0.5
  }
  var upper = [Double](repeating: 0, count: n * n)
  for i in 0..<n { for j in i..<n { upper[i * n + j] = next() } }
  var full = upper
  for i in 0..<n { for j in 0..<i { full[i * n + j] = full[j * n + i] } }
  var garbage = upper
  for i in 0..<n { for j in 0..<i { garbage[i * n + j] = 1e6 } }
  let lapack = try #require(BLAS.symmetricEigenvalues(garbage, dimension: n)).sorted(by: >)
  let jacobi = SymmetricEigen.jacobiEigenvalues(of: full, dimension: n)
  expectEigenvalues(lapack, jacobi)
  expectEigenvalues(SymmetricEigen.eigenvalues(of: garbage, dimension: n), jacobi)
  // The trace is the sum of the eigenvalues.
  let trace = (0..<n).reduce(0.0) { $0 + full[$1 * n + $1] }
  #expect(abs(lapack.reduce(0, +) - trace) < 1e-10)
  // The same input gives the same bits.
  #expect(BLAS.symmetricEigenvalues(garbage, dimension: n) == BLAS.symmetricEigenvalues(garbage, dimension: n))
}

func expectEigenvalues(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(actual.count == expected.count, sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected) {
    #expect(abs(a - e) < 1e-10, "eigenvalue \(a) vs \(e)", sourceLocation: sourceLocation)
  }
}
