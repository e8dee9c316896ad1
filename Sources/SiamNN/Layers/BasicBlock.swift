import SiamTensor

/// The residual block of ResNet-18/34 (torchvision's `BasicBlock`, expansion 1):
/// `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, where `conv1` is 3×3 with the
/// block's stride, `conv2` is 3×3 with stride 1, and the shortcut is the identity or,
/// when the stride or width changes, `downsample` = 1×1 convolution with the stride
/// followed by BatchNorm (ResNet v1.5 puts the stride on the 3×3 convolution; for a basic
/// block v1 and v1.5 coincide).
///
/// Shapes: `[N, C, H, W] → [N, F, ⌈H/s⌉, ⌈W/s⌉]`.
/// Keys: `conv1.weight`, `bn1.*`, `conv2.weight`, `bn2.*`, and with a downsample
/// `downsample.0.weight`, `downsample.1.*` (convolutions have no bias).
public final class BasicBlock: Module {
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  public let conv2: Conv2d
  public let bn2: BatchNorm2d
  /// 1×1 convolution + BatchNorm, present when `stride ≠ 1` or `C ≠ F`.
  public let downsample: Sequential?

  /// - Parameters:
  ///   - inputChannels: `C`.
  ///   - outputChannels: `F`.
  ///   - stride: The stride of `conv1` and of the downsample.
  ///   - zeroInitializeResidual: Start `bn2.weight` at 0 (torchvision's
  ///     `zero_init_residual`), so the block starts as the identity.
  ///   - key: Draws the convolution weights (`kaimingNormalFanOut`, as torchvision).
  public init(
    _ inputChannels: Int, _ outputChannels: Int, stride: Int = 1, zeroInitializeResidual: Bool = false,
    key: RandomKey
  ) {
    conv1 = Conv2d(
      inputChannels, outputChannels, kernelSize: 3, stride: stride, padding: 1, hasBias: false,
      initialization: .kaimingNormalFanOut, key: key.folded(in: "conv1"))
    bn1 = BatchNorm2d(outputChannels)
    conv2 = Conv2d(
      outputChannels, outputChannels, kernelSize: 3, stride: 1, padding: 1, hasBias: false,
      initialization: .kaimingNormalFanOut, key: key.folded(in: "conv2"))
    bn2 = BatchNorm2d(outputChannels)
    if stride != 1 || inputChannels != outputChannels {
      downsample = Sequential([
        Conv2d(
          inputChannels, outputChannels, kernelSize: 1, stride: stride, hasBias: false,
          initialization: .kaimingNormalFanOut, key: key.folded(in: "downsample")),
        BatchNorm2d(outputChannels),
      ])
    } else {
      downsample = nil
    }
    super.init()
    addChild("conv1", conv1)
    addChild("bn1", bn1)
    addChild("conv2", conv2)
    addChild("bn2", bn2)
    if let downsample { addChild("downsample", downsample) }
    if zeroInitializeResidual { bn2.setLocalTensor("weight", Tensor(zeros: [outputChannels])) }
  }

  /// `[N, C, H, W] → [N, F, OH, OW]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    let residual = bn2(conv2(relu(bn1(conv1(x)))))
    let shortcut = downsample.map { $0(x) } ?? x
    return relu(residual + shortcut)
  }
}
