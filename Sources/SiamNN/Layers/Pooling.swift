import SiamTensor

/// Max pooling over square windows (PyTorch's `nn.MaxPool2d`, padding with −∞).
/// Shapes: `[N, C, H, W] → [N, C, OH, OW]`, `OH = (H + 2·padding − K) / stride + 1`.
public final class MaxPool2d: Module {
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int

  /// `stride` defaults to `kernelSize`, as in PyTorch.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(
      kernelSize > 0 && (stride ?? 1) > 0 && padding >= 0 && 2 * padding <= kernelSize,
      "MaxPool2d(kernelSize: \(kernelSize), stride: \(String(describing: stride)), padding: \(padding)): invalid")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    super.init()
  }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    maxPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding)
  }
}

/// Average pooling over square windows (PyTorch's `nn.AvgPool2d`, zero padding counted).
/// Shapes: `[N, C, H, W] → [N, C, OH, OW]`.
public final class AvgPool2d: Module {
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int

  /// `stride` defaults to `kernelSize`, as in PyTorch.
  public init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
    precondition(
      kernelSize > 0 && (stride ?? 1) > 0 && padding >= 0 && 2 * padding <= kernelSize,
      "AvgPool2d(kernelSize: \(kernelSize), stride: \(String(describing: stride)), padding: \(padding)): invalid")
    self.kernelSize = kernelSize
    self.stride = stride ?? kernelSize
    self.padding = padding
    super.init()
  }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    avgPool2d(x, kernelSize: kernelSize, stride: stride, padding: padding)
  }
}

/// The mean over the spatial axes, flattened (PyTorch's `nn.AdaptiveAvgPool2d(1)`
/// followed by `torch.flatten(x, 1)`). Shapes: `[N, C, H, W] → [N, C]`.
public final class GlobalAvgPool: Module {
  public override init() { super.init() }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    globalAveragePool(x)
  }
}

/// Adaptive average pooling to a `G × G` grid (PyTorch's `nn.AdaptiveAvgPool2d(G)`).
/// Shapes: `[N, C, H, W] → [N, C, G, G]`.
public final class AdaptiveAvgPool2d: Module {
  public let outputSize: Int

  public init(outputSize: Int) {
    precondition(outputSize >= 1, "AdaptiveAvgPool2d(outputSize: \(outputSize)): must be at least 1")
    self.outputSize = outputSize
    super.init()
  }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    adaptiveAvgPool2d(x, outputSize: outputSize)
  }
}
