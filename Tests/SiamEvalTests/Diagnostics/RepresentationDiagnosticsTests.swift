import Foundation
import SiamTensor
import Testing

@testable import SiamEval

@Test func alignmentByHand() {
  // Pair 1: (1,0) vs (0,2) → (1,0) vs (0,1): ‖·‖² = 2. Pair 2: (3,0) vs (1,0): 0.
  let a = Tensor(shape: [2, 2], scalars: [1, 0, 3, 0])
  let b = Tensor(shape: [2, 2], scalars: [0, 2, 1, 0])
  #expect(abs(RepresentationDiagnostics.alignment(a, b) - 1) < 1e-12)
  // α = 1: mean of distances √2 and 0.
  #expect(abs(RepresentationDiagnostics.alignment(a, b, alpha: 1) - 2.0.squareRoot() / 2) < 1e-12)
}

@Test func uniformityByHand() {
  // Three points: e1, e2, −e1 (after normalisation). Squared distances 2, 4, 2.
  let x = Tensor(shape: [3, 2], scalars: [2, 0, 0, 1, -1, 0])
  let expected = log((exp(-4.0) + exp(-8.0) + exp(-4.0)) / 3)
  #expect(abs(RepresentationDiagnostics.uniformity(x) - expected) < 1e-6)
  // All points equal: log 1 = 0.
  #expect(abs(RepresentationDiagnostics.uniformity(Tensor(ones: [4, 3]))) < 1e-6)
  // Subsampling keeps rows ⌊i·N/M⌋: with M = 2 of these 3 rows, rows 0 and 1.
  #expect(abs(RepresentationDiagnostics.uniformity(x, maximumSamples: 2) - (-4)) < 1e-6)
}

@Test(arguments: [1, 3, 5])
func effectiveRankOfEqualSingularValuesIsTheirCount(rank: Int) {
  // F = U·diag(s, …, s, 0, …)·Vᵀ built from orthonormal columns: r equal singular values.
  let (n, d) = (20, 12)
  var f = [Float](repeating: 0, count: n * d)
  // Rows 0..<r are ±3·(Givens-rotated) basis vectors: orthogonal rows of equal norm.
  let (c, s) = (Float(cos(0.4)), Float(sin(0.4)))
  for i in 0..<rank {
    var v = [Float](repeating: 0, count: d)
    v[i] = 3
    // Rotate in the plane (i, i+d/2) so that the vectors are not axis-aligned.
    let j = i + d / 2
    if j < d { (v[i], v[j]) = (c * 3, s * 3) }
    for k in 0..<d { f[(2 * i) * d + k] = v[k] }
  }
  let features = Tensor(shape: [n, d], scalars: f)
  let sigma = RepresentationDiagnostics.singularValues(features)
  #expect(sigma.prefix(rank).allSatisfy { abs($0 - 3) < 1e-6 })
  #expect(abs(RepresentationDiagnostics.effectiveRank(features) - Double(rank)) < 1e-6)
}

@Test func effectiveRankOfAKnownSpectrum() {
  let p = [0.5, 0.25, 0.25]
  let expected = exp(-p.reduce(0) { $0 + $1 * log($1) })
  #expect(abs(RepresentationDiagnostics.effectiveRank(singularValues: [2, 1, 1, 0]) - expected) < 1e-12)
  #expect(RepresentationDiagnostics.effectiveRank(singularValues: [0, 0]) == 0)
}

@Test func dimensionStdsShowCollapse() throws {
  let collapsed = Tensor(shape: [4, 3], scalars: [1, 2, 3, 2, 4, 6, 1, 2, 3, 3, 6, 9])
  #expect(RepresentationDiagnostics.dimensionStds(collapsed).allSatisfy { $0 < 1e-7 })
  // ±e1, ±e2 on the circle: per-dimension std √(1/2).
  let spread = Tensor(shape: [4, 2], scalars: [1, 0, -1, 0, 0, 1, 0, -1])
  for s in RepresentationDiagnostics.dimensionStds(spread) { #expect(abs(s - 0.5.squareRoot()) < 1e-12) }
  let result = try DiagnosticsResult.measure(
    FeatureSet(features: spread, labels: [0, 0, 1, 1], classCount: 2, split: "test"), pairedViews: (spread, spread))
  #expect(result.alignment == 0)
  #expect(abs(result.effectiveRank - 2) < 1e-9)
  #expect(abs(result.minDimensionStd - 0.5.squareRoot()) < 1e-9)
  #expect(result.protocol.kind == .diagnostics)
}
