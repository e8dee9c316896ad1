import SiamTensor

/// InfoNCE with a queue of negatives, the loss of MoCo (He et al., 2020; MoCo v2, Chen
/// et al., 2020).
///
/// Each query's positive is its own key; the negatives are the `K` keys of the queue:
///
///     logits = [ qᵢ·kᵢ | qᵢ·Qⱼ (j = 1…K) ] / τ,   ℓ = (1/N) Σᵢ CE(logitsᵢ, label 0)
///
/// As in MoCo v2 and solo-learn's `moco_loss_func`, the inputs are expected to be
/// L2-normalised already (the method normalises its projections; this function does not
/// normalise, so that its gradient is that of the formula above). The key and the queue
/// are constants: no gradient flows into them (the key is detached here).
///
/// - Parameters:
///   - query: `q`, `[N, D]`, L2-normalised rows.
///   - key: `k`, `[N, D]`, L2-normalised rows (from the momentum encoder).
///   - queue: `Q`, `[K, D]`, L2-normalised keys of earlier batches.
///   - temperature: `τ > 0` (MoCo v2: 0.2).
/// - Returns: The mean cross entropy, shape `[]`.
/// - Complexity: `O(NKD)` (the negative logits).
public func infoNCELoss(query: Tensor, key: Tensor, queue: Tensor, temperature: Float) -> Tensor {
  precondition(
    query.rank == 2 && query.shape == key.shape && query.shape[0] > 0,
    "infoNCELoss: query \(query.shape) and key \(key.shape) must both be [N, D] with N > 0")
  precondition(
    queue.rank == 2 && queue.shape[1] == query.shape[1],
    "infoNCELoss: queue \(queue.shape) must be [K, D] with D = \(query.shape[1])")
  precondition(temperature > 0, "infoNCELoss: temperature \(temperature) must be positive")
  let positive = (query * key.detached()).sum(alongAxis: 1, keepingDimensions: true)
  let negative = matmul(query, queue.detached(), transposeB: true)
  let logits = concatenated([positive, negative], alongAxis: 1) / temperature
  return crossEntropy(logits: logits, labels: [Int](repeating: 0, count: query.shape[0]))
}
