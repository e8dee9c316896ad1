import SiamTensor

/// The loss of NNCLR (Dwibedi et al., 2021): each sample's nearest neighbour in the
/// support set, instead of its own other view, is the positive.
///
/// With `nnᵢ` the support-set neighbour of view 1's projection of sample `i` and `pⱼ` the
/// predictions of view 2, both L2-normalised here:
///
///     logits = n̂n·p̂ᵀ / τ,   ℓ = (1/N) Σᵢ CE(logitsᵢ, label i)
///
/// This is solo-learn's `nnclr_loss_func`; NNCLR averages it over both directions,
/// `(nnclrLoss(nn₁, p₂) + nnclrLoss(nn₂, p₁)) / 2`. The neighbours are constants (they come
/// from the support set): the gradient flows into the predictions only.
///
/// - Parameters:
///   - neighbours: `[N, D]`, the support-set neighbours of one view's projections.
///   - predictions: `[N, D]`, the predictions of the other view.
///   - temperature: `τ > 0` (the paper: 0.1).
/// - Returns: The mean cross entropy, shape `[]`.
public func nnclrLoss(neighbours: Tensor, predictions: Tensor, temperature: Float) -> Tensor {
  precondition(
    neighbours.rank == 2 && neighbours.shape == predictions.shape && neighbours.shape[0] > 0,
    "nnclrLoss: neighbours \(neighbours.shape) and predictions \(predictions.shape) must both be [N, D] with N > 0")
  precondition(temperature > 0, "nnclrLoss: temperature \(temperature) must be positive")
  let nn = l2Normalized(neighbours.detached(), alongAxis: 1)
  let p = l2Normalized(predictions, alongAxis: 1)
  return crossEntropy(logits: matmul(nn, p, transposeB: true) / temperature, labels: Array(0..<neighbours.shape[0]))
}
