import SiamTensor

/// The Barlow Twins redundancy-reduction loss (Zbontar et al., 2021).
///
/// Each embedding dimension is standardised over the batch, as a BatchNorm without
/// affine parameters in training mode: `ẑ = (z − μ)/√(σ² + ε)` with the biased variance
/// `σ²` (the official code and solo-learn's `barlow_loss_func`). With the cross-correlation
/// `C = ẑ1ᵀ ẑ2 / N` (`[D, D]`):
///
///     ℓ = Σᵢ (1 − Cᵢᵢ)² + λ Σᵢ Σ_{j≠i} Cᵢⱼ²
///
/// The off-diagonal sum is computed as `‖C‖²_F − Σᵢ Cᵢᵢ²` with `Cᵢᵢ = Σₙ ẑ1ₙᵢ ẑ2ₙᵢ / N`, so
/// no `[D, D]` mask is built.
///
/// - Parameters:
///   - z1: `[N, D]`, the first view's projections (`N > 1`).
///   - z2: `[N, D]`, the second view's.
///   - lambda: `λ`, the off-diagonal weight (paper: 5e-3; solo-learn: 0.0051).
///   - epsilon: `ε` of the standardisation (PyTorch BatchNorm's 1e-5).
/// - Returns: Shape `[]`.
/// - Complexity: `O(ND²)` (the correlation matrix).
public func barlowTwinsLoss(_ z1: Tensor, _ z2: Tensor, lambda: Float, epsilon: Float = 1e-5) -> Tensor {
  precondition(
    z1.rank == 2 && z1.shape == z2.shape && z1.shape[0] > 1,
    "barlowTwinsLoss: z1 \(z1.shape) and z2 \(z2.shape) must both be [N, D] with N > 1")
  let n = Float(z1.shape[0])
  let a = batchNorm(z1, gamma: nil, beta: nil, epsilon: epsilon).output
  let b = batchNorm(z2, gamma: nil, beta: nil, epsilon: epsilon).output
  let correlation = matmul(a, b, transposeA: true) / n
  let diagonal = (a * b).sum(alongAxis: 0) / n
  let onDiagonal = (1 - diagonal).squared().sum()
  let offDiagonal = correlation.squared().sum() - diagonal.squared().sum()
  return onDiagonal + lambda * offDiagonal
}
