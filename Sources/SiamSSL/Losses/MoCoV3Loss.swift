import SiamTensor

/// The contrastive loss of MoCo v3 (Chen, Xie & He, 2021): InfoNCE of each query against
/// the in-batch keys of the momentum encoder, scaled by `2τ`.
///
/// Queries and keys are L2-normalised here; query `i`'s positive is key `i`, its
/// negatives the other `N − 1` keys of the batch (no queue):
///
///     logits = q·kᵀ / τ,   ℓ = 2τ · (1/N) Σᵢ CE(logitsᵢ, label i)
///
/// This is `contrastive_loss` of the paper's code (`moco/builder.py`, one device); the
/// `2τ` factor keeps the gradient's scale independent of `τ`. The key is a constant (no
/// gradient flows into it). MoCo v3 sums this over both directions,
/// `mocoV3Loss(q₁, k₂) + mocoV3Loss(q₂, k₁)`.
///
/// - Parameters:
///   - query: `[N, D]`, from the online encoder, projector and predictor.
///   - key: `[N, D]`, from the momentum encoder and projector.
///   - temperature: `τ > 0` (the paper: 0.2).
/// - Returns: The scaled mean cross entropy, shape `[]`.
/// - Complexity: `O(N²D)`.
public func mocoV3Loss(query: Tensor, key: Tensor, temperature: Float) -> Tensor {
  precondition(
    query.rank == 2 && query.shape == key.shape && query.shape[0] > 0,
    "mocoV3Loss: query \(query.shape) and key \(key.shape) must both be [N, D] with N > 0")
  precondition(temperature > 0, "mocoV3Loss: temperature \(temperature) must be positive")
  let q = l2Normalized(query, alongAxis: 1)
  let k = l2Normalized(key.detached(), alongAxis: 1)
  let logits = matmul(q, k, transposeB: true) / temperature
  return crossEntropy(logits: logits, labels: Array(0..<query.shape[0])) * (2 * temperature)
}
