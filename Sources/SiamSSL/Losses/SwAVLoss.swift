import Foundation
import SiamTensor

/// The swapped-prediction loss of SwAV (Caron et al., 2020): the codes of each global
/// view, an equal-partition assignment of the batch to the prototypes, are predicted
/// from every other view's prototype scores.
///
///     ℓ = 1/M · Σᵢ∈{1,2} Σ_{v ≠ i} (1/N) Σₙ −qᵢ,ₙ · log softmax(sᵥ,ₙ / τ)        M = 2(V − 1)
///
/// with `qᵢ = sinkhornKnopp(sᵢ)` (constants) and `sᵥ` the cosine scores of view `v` against
/// the prototypes. This is the loss of `main_swav.py` (`subloss / (V − 1)`, averaged over
/// the two assigned crops).
///
/// - Parameters:
///   - scores: `V ≥ 2` tensors `[N, K]`, the global views first.
///   - codes: 2 tensors `[N, K]` (rows summing to 1), the codes of the global views.
///   - temperature: `τ > 0` (the paper: 0.1).
/// - Returns: The mean cross entropy, shape `[]`.
public func swavLoss(scores: [Tensor], codes: [Tensor], temperature: Float) -> Tensor {
  precondition(
    codes.count == 2 && scores.count >= 2
      && (scores + codes).allSatisfy { $0.rank == 2 && $0.shape == scores[0].shape },
    "swavLoss: needs 2 codes and at least 2 score tensors of one shape [N, K], got \(codes.map(\.shape)) and \(scores.map(\.shape))"
  )
  precondition(temperature > 0, "swavLoss: temperature \(temperature) must be positive")
  return crossViewEntropy(targets: codes, logits: scores, temperature: temperature)
}

/// Sinkhorn–Knopp's equal-partition codes (SwAV's `distributed_sinkhorn`, one device).
///
/// `Q = exp(S/ε)ᵀ` `[K, B]`, normalised to sum 1; then `iterations` times: each
/// prototype's row to `1/K`, each sample's column to `1/B`; finally columns scaled to sum
/// 1. Every prototype then receives the same share of the batch, which is what prevents
/// the trivial solution (all samples on one prototype). Computed in `Double`, untracked.
///
/// - Parameters:
///   - scores: `[B, K]` prototype scores (cosines, so `exp(S/ε)` stays finite for ε ≥ 0.01).
///   - epsilon: `ε > 0` (the paper: 0.05).
///   - iterations: The paper's 3.
/// - Returns: `[B, K]`, each row a distribution over the prototypes.
public func sinkhornKnopp(_ scores: Tensor, epsilon: Float, iterations: Int) -> Tensor {
  precondition(
    scores.rank == 2 && scores.shape[0] > 0 && scores.shape[1] > 0,
    "sinkhornKnopp: scores \(scores.shape) must be [B, K]")
  precondition(epsilon > 0 && iterations >= 0, "sinkhornKnopp: ε \(epsilon), \(iterations) iterations")
  let b = scores.shape[0]
  let k = scores.shape[1]
  var q = scores.detached().scalars.map { Foundation.exp(Double($0) / Double(epsilon)) }  // [B, K], q[n·K + j]
  let total = q.reduce(0, +)
  for index in q.indices { q[index] /= total }
  var prototypeSums = [Double](repeating: 0, count: k)
  for _ in 0..<iterations {
    for j in 0..<k { prototypeSums[j] = 0 }
    for n in 0..<b { for j in 0..<k { prototypeSums[j] += q[n * k + j] } }
    for n in 0..<b { for j in 0..<k { q[n * k + j] /= prototypeSums[j] * Double(k) } }
    for n in 0..<b {
      var sampleSum = 0.0
      for j in 0..<k { sampleSum += q[n * k + j] }
      for j in 0..<k { q[n * k + j] /= sampleSum * Double(b) }
    }
  }
  return Tensor(shape: [b, k], scalars: q.map { Float($0 * Double(b)) })
}
