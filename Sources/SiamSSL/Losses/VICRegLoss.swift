import SiamTensor

/// The three terms of the VICReg loss (Bardes et al., 2022), each of shape `[]`.
public struct VICRegLossTerms: Sendable {
  /// `s(z1, z2) = (1/ND) Σ ‖z1 − z2‖²` (PyTorch's `F.mse_loss`).
  public var invariance: Tensor
  /// `v = ½ [v(z1) + v(z2)]`, `v(z) = (1/D) Σⱼ max(0, 1 − √(Var(z·ⱼ) + ε))`.
  public var variance: Tensor
  /// `c = c(z1) + c(z2)`, `c(z) = (1/D) Σ_{i≠j} Cov(z)ᵢⱼ²`.
  public var covariance: Tensor

  /// `λ·s + μ·v + ν·c`.
  public func total(invariance lambda: Float, variance mu: Float, covariance nu: Float) -> Tensor {
    lambda * invariance + mu * variance + nu * covariance
  }
}

/// The terms of the VICReg loss, as in the official implementation
/// (facebookresearch/vicreg): variances and covariances are unbiased (`/(N − 1)`) over
/// the centred batch, the standard deviation is `√(Var + ε)` with `ε = 1e-4`, the hinge
/// is at 1, the variance term averages the two branches (solo-learn's `variance_loss`
/// sums them instead, a factor of 2) and the covariance term sums them.
///
/// The off-diagonal sum is `‖Cov‖²_F − Σⱼ Varⱼ²` (the diagonal of the covariance is the
/// variance), so no `[D, D]` mask is built.
///
/// - Parameters:
///   - z1: `[N, D]` (`N > 1`).
///   - z2: `[N, D]`.
///   - epsilon: `ε` inside the standard deviation.
/// - Complexity: `O(ND²)` (two covariance matrices).
public func vicregLossTerms(_ z1: Tensor, _ z2: Tensor, epsilon: Float = 1e-4) -> VICRegLossTerms {
  precondition(
    z1.rank == 2 && z1.shape == z2.shape && z1.shape[0] > 1,
    "vicregLoss: z1 \(z1.shape) and z2 \(z2.shape) must both be [N, D] with N > 1")
  let n = Float(z1.shape[0])
  let d = Float(z1.shape[1])
  func branch(_ z: Tensor) -> (variance: Tensor, covariance: Tensor) {
    let centered = z - z.mean(alongAxis: 0, keepingDimensions: true)
    let variance = centered.squared().sum(alongAxis: 0) / (n - 1)
    let hinge = relu(1 - sqrt(variance + epsilon)).mean()
    let covarianceMatrix = matmul(centered, centered, transposeA: true) / (n - 1)
    let offDiagonal = (covarianceMatrix.squared().sum() - variance.squared().sum()) / d
    return (hinge, offDiagonal)
  }
  let (v1, c1) = branch(z1)
  let (v2, c2) = branch(z2)
  return VICRegLossTerms(invariance: (z1 - z2).squared().mean(), variance: (v1 + v2) / 2, covariance: c1 + c2)
}

/// The VICReg loss, `λ·s(z1, z2) + μ·v + ν·c` (see `VICRegLossTerms` and
/// `vicregLossTerms(_:_:epsilon:)` for the terms).
///
/// - Parameters:
///   - z1: `[N, D]` (`N > 1`).
///   - z2: `[N, D]`.
///   - invariance: `λ` (paper: 25).
///   - variance: `μ` (paper: 25).
///   - covariance: `ν` (paper: 1).
/// - Returns: Shape `[]`.
public func vicregLoss(_ z1: Tensor, _ z2: Tensor, invariance: Float, variance: Float, covariance: Float) -> Tensor {
  vicregLossTerms(z1, z2).total(invariance: invariance, variance: variance, covariance: covariance)
}
