import Foundation
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// Values of the losses at points where they are known in closed form.
@Suite struct LossPropertyTests {
  @Test func cosineLossesAtAlignedAndOppositeTargets() {
    let p = makeTestTensor([4, 3], seed: 1)
    expectClose(byolLoss(prediction: p, target: 2 * p), Tensor(0), absolute: 1e-5)
    expectClose(byolLoss(prediction: p, target: -p), Tensor(4), absolute: 1e-5)
    expectClose(negativeCosineLoss(prediction: p, target: 3 * p), Tensor(-1), absolute: 1e-5)
  }

  @Test func stopGradientReachesNoTarget() {
    let p = makeTestTensor([4, 3], seed: 2)
    let z = makeTestTensor([4, 3], seed: 3)
    let (_, gradients) = valueAndGradient(at: [p, z]) { byolLoss(prediction: $0[0], target: $0[1]) }
    #expect(gradients[1].scalars.allSatisfy { $0 == 0 })
    #expect(gradients[0].scalars.contains { $0 != 0 })
  }

  @Test func ntXentOfIdenticalOrthogonalViewsIsTheUniformBound() {
    // N orthonormal rows, z2 = z1: each anchor's positive has similarity 1, its 2N − 2
    // negatives 0 (the other N − 1 rows, twice), so ℓ = −log(e^{1/τ} / (e^{1/τ} + 2N − 2)).
    let n = 3
    let tau: Float = 0.5
    var z = Tensor(zeros: [n, n])
    for i in 0..<n { z[i, i] = 1 }
    let e = exp(Double(1 / tau))
    let expected = -log(e / (e + Double(2 * n - 2)))
    expectClose([Double(ntXentLoss(z, z, temperature: tau).scalar)], [expected], absolute: 1e-5)
  }

  @Test func infoNCEWithAnEmptyLikeQueueIsLogOfOnePlusK() {
    // q·k = 1 and q ⟂ every queue entry: ℓ = log(1 + K e^{-1/τ}).
    let q = Tensor(shape: [1, 2], scalars: [1, 0])
    let queue = Tensor(shape: [3, 2], scalars: [0, 1, 0, 1, 0, -1])
    let tau: Float = 0.2
    let expected = log(1 + 3 * exp(-1 / Double(tau)))
    expectClose(
      [Double(infoNCELoss(query: q, key: q, queue: queue, temperature: tau).scalar)], [expected], absolute: 1e-6)
  }

  @Test func barlowTwinsOfIdenticalDecorrelatedViewsIsNearZero() {
    // Columns ±1 patterns with zero mean, unit variance and zero correlation.
    let z = Tensor(shape: [4, 2], scalars: [1, 1, 1, -1, -1, 1, -1, -1])
    let loss = barlowTwinsLoss(z, z, lambda: 0.005).scalar
    #expect(abs(loss) < 1e-4, "loss \(loss)")
  }

  @Test func vicregTermsOfACollapsedBatch() {
    // Every row equal: invariance 0, variance hinge 1 − √ε per dimension, covariance 0.
    let z = Tensor(repeating: 0.5, shape: [5, 3])
    let terms = vicregLossTerms(z, z)
    expectClose(terms.invariance, Tensor(0), absolute: 1e-7)
    expectClose(terms.variance, Tensor(1 - Float(1e-4).squareRoot()), absolute: 1e-6)
    expectClose(terms.covariance, Tensor(0), absolute: 1e-7)
  }
}
