import SiamTensor

/// The BYOL regression loss in one direction (Grill et al., 2020):
///
///     ℓ = (1/N) Σᵢ ‖p̂ᵢ − ẑᵢ‖² = (1/N) Σᵢ (2 − 2·cos(pᵢ, sg(zᵢ)))
///
/// with `p̂`, `ẑ` the L2-normalised prediction and target and `sg` the stop-gradient
/// (applied here). BYOL sums it over both directions (`byolLoss(p1, z2) +
/// byolLoss(p2, z1)`), as solo-learn's `byol_loss_func` and DeepMind's code do, so the
/// symmetric loss lies in `[0, 8]`.
///
/// - Parameters:
///   - prediction: `p`, `[N, D]`, the online predictor's output.
///   - target: `z`, `[N, D]`, the target network's projection (detached here).
/// - Returns: The mean over the batch, shape `[]`.
public func byolLoss(prediction: Tensor, target: Tensor) -> Tensor {
  2 - 2 * meanCosineSimilarity(prediction, target.detached())
}

/// SimSiam's negative cosine similarity in one direction (Chen & He, 2021):
///
///     D(p, z) = −(1/N) Σᵢ cos(pᵢ, sg(zᵢ))
///
/// (`byolLoss = 2 + 2·D`). SimSiam symmetrises it as `D(p1, z2)/2 + D(p2, z1)/2`.
///
/// - Parameters:
///   - prediction: `p`, `[N, D]`.
///   - target: `z`, `[N, D]` (detached here).
/// - Returns: Shape `[]`, in `[−1, 1]`.
public func negativeCosineLoss(prediction: Tensor, target: Tensor) -> Tensor {
  -meanCosineSimilarity(prediction, target.detached())
}

/// `(1/N) Σᵢ cos(aᵢ, bᵢ)` over rows of `[N, D]` tensors, differentiable in both.
func meanCosineSimilarity(_ a: Tensor, _ b: Tensor) -> Tensor {
  precondition(
    a.rank == 2 && a.shape == b.shape && a.shape[0] > 0,
    "cosine similarity: shapes \(a.shape) and \(b.shape) must both be [N, D] with N > 0")
  return (l2Normalized(a, alongAxis: 1) * l2Normalized(b, alongAxis: 1)).sum(alongAxis: 1).mean()
}
