// API of the convolution, pooling and batch-norm primitives.
// PLACEHOLDER SIGNATURES: the implementations land in the next commit.

/// 2-D convolution (cross-correlation, PyTorch's `F.conv2d`, groups = 1).
///
/// Shapes: `x` `[N, C, H, W]`, `weight` `[F, C, KH, KW]`, `bias` `[F]`,
/// result `[N, F, OH, OW]` with `OH = (H + 2·padding − KH) / stride + 1`.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
  preconditionFailure("conv2d not implemented yet")
}

/// Max pooling over `kernelSize × kernelSize` windows. Shapes: `[N, C, H, W] → [N, C, OH, OW]`.
public func maxPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
  preconditionFailure("maxPool2d not implemented yet")
}

/// Average pooling (padding counted as zeros, PyTorch's default). Shapes: `[N, C, H, W] → [N, C, OH, OW]`.
public func avgPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
  preconditionFailure("avgPool2d not implemented yet")
}

/// Mean over the spatial axes. Shapes: `[N, C, H, W] → [N, C]`.
public func globalAveragePool(_ x: Tensor) -> Tensor {
  preconditionFailure("globalAveragePool not implemented yet")
}

/// Batch normalisation with batch statistics (training mode), over every axis but 1.
///
/// Shapes: `x` `[N, C]` or `[N, C, H, W]`; `gamma`, `beta` `[C]` (nil: 1 and 0);
/// returns the output (shape of `x`) and the batch `mean` and biased `variance` `[C]`
/// (untracked, for running statistics).
public func batchNorm(
  _ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float
) -> (output: Tensor, mean: Tensor, variance: Tensor) {
  preconditionFailure("batchNorm not implemented yet")
}

/// Batch normalisation with given (running) statistics (evaluation mode).
///
/// Shapes: `x` `[N, C]` or `[N, C, H, W]`; `mean`, `variance`, `gamma`, `beta` `[C]`.
public func batchNorm(
  _ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float
) -> Tensor {
  preconditionFailure("batchNorm not implemented yet")
}
