import SiamTensor

/// A 2-D convolution (PyTorch's `nn.Conv2d` with `groups = 1`, `dilation = 1`, square
/// kernel, symmetric zero padding).
///
/// Shapes: input `[N, C, H, W]`, output `[N, F, OH, OW]` with
/// `OH = (H + 2·padding − K) / stride + 1`; `weight` `[F, C, K, K]`, `bias` `[F]`.
/// Keys: `weight`, `bias` (when `hasBias`).
public final class Conv2d: Module {
  public let inputChannels: Int
  public let outputChannels: Int
  public let kernelSize: Int
  public let stride: Int
  public let padding: Int

  /// Creates a convolution with its weight drawn from `key.folded(in: "weight")` and its
  /// bias (PyTorch's default, `U(−1/√fanIn, 1/√fanIn)`) from `key.folded(in: "bias")`.
  /// Leave out the bias (`hasBias: false`) when a BatchNorm follows.
  public init(
    _ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
    hasBias: Bool = true, initialization: WeightInitialization = .pytorchDefault, key: RandomKey
  ) {
    precondition(
      inputChannels > 0 && outputChannels > 0 && kernelSize > 0 && stride > 0 && padding >= 0,
      "Conv2d(\(inputChannels), \(outputChannels), kernelSize: \(kernelSize), stride: \(stride), padding: \(padding)): invalid configuration"
    )
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.kernelSize = kernelSize
    self.stride = stride
    self.padding = padding
    super.init()
    let shape = [outputChannels, inputChannels, kernelSize, kernelSize]
    addParameter("weight", initialization.makeWeight(shape: shape, key: key.folded(in: "weight")))
    if hasBias {
      addParameter(
        "bias",
        makeDefaultBias(
          count: outputChannels, fanIn: inputChannels * kernelSize * kernelSize, key: key.folded(in: "bias")))
    }
  }

  /// `[F, C, K, K]`.
  public var weight: Tensor {
    get { localTensor("weight") }
    set { setLocalTensor("weight", newValue) }
  }

  /// `[F]`, or nil for a convolution without bias.
  public var bias: Tensor? { localTensorIfPresent("bias") }

  /// The output extent of a spatial input extent.
  public func outputExtent(_ extent: Int) -> Int {
    (extent + 2 * padding - kernelSize) / stride + 1
  }

  /// `[N, C, H, W] → [N, F, OH, OW]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 4 && x.shape[1] == inputChannels,
      "Conv2d(\(inputChannels), \(outputChannels)): input shape \(x.shape)")
    return conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
  }
}
