import SiamTensor

/// ResNet-18/34 as a feature encoder (torchvision's `ResNet` with `BasicBlock`s and the
/// classifier removed, `fc = Identity`), with torchvision's parameter names.
///
/// Stem `imagenet`: 7×7 convolution, stride 2, padding 3, BN, ReLU, 3×3 max pool with
/// stride 2 and padding 1. Stem `cifar`: 3×3 convolution, stride 1, padding 1, BN, ReLU,
/// no max pool (as solo-learn and lightly do for 32×32 images). Then four stages of
/// basic blocks with widths `w, 2w, 4w, 8w` (`w = 64`) and strides 1, 2, 2, 2, and global
/// average pooling: `D = 8w = 512`.
///
/// Shapes: `[N, C, H, W] → [N, 8w]`.
/// Keys: `conv1.weight`, `bn1.{weight,bias,running_mean,running_var,num_batches_tracked}`,
/// `layer1.0.conv1.weight`, `layer1.0.bn1.*`, ..., `layer2.0.downsample.0.weight`,
/// `layer2.0.downsample.1.*`, ... Convolutions have no bias and are initialised as in
/// torchvision (`kaiming_normal_`, fan-out, ReLU gain); BN weights start at 1, biases at 0.
public final class ResNet: Module, FeatureEncoder {
  /// Blocks per stage.
  public enum Depth: Sendable, Hashable {
    case resnet18, resnet34

    public var blocksPerStage: [Int] {
      switch self {
      case .resnet18: [2, 2, 2, 2]
      case .resnet34: [3, 4, 6, 3]
      }
    }
  }

  /// The first layers, chosen by image size.
  public enum Stem: String, Sendable, Hashable {
    /// 3×3 convolution with stride 1, no max pool (32×32 images and smaller).
    case cifar
    /// 7×7 convolution with stride 2 and a 3×3 max pool with stride 2 (224×224 images).
    case imagenet
  }

  public let depth: Depth
  public let stem: Stem
  public let outputFeatures: Int
  public let conv1: Conv2d
  public let bn1: BatchNorm2d
  /// `layer1` … `layer4`.
  public let stages: [Sequential]

  /// - Parameters:
  ///   - baseWidth: `w`, the width of `layer1` (64 in the standard network; smaller
  ///     values make test-sized networks with the same structure).
  ///   - zeroInitializeResidual: torchvision's `zero_init_residual`.
  ///   - key: The stem draws from `key.folded(in: "conv1")`, block `j` of stage `i` from
  ///     `key.folded(in: "layer\(i).\(j)")`.
  public init(
    depth: Depth, stem: Stem, inputChannels: Int = 3, baseWidth: Int = 64, zeroInitializeResidual: Bool = false,
    key: RandomKey
  ) {
    self.depth = depth
    self.stem = stem
    self.outputFeatures = 8 * baseWidth
    switch stem {
    case .cifar:
      conv1 = Conv2d(
        inputChannels, baseWidth, kernelSize: 3, stride: 1, padding: 1, hasBias: false,
        initialization: .kaimingNormalFanOut, key: key.folded(in: "conv1"))
    case .imagenet:
      conv1 = Conv2d(
        inputChannels, baseWidth, kernelSize: 7, stride: 2, padding: 3, hasBias: false,
        initialization: .kaimingNormalFanOut, key: key.folded(in: "conv1"))
    }
    bn1 = BatchNorm2d(baseWidth)
    var stages: [Sequential] = []
    var channels = baseWidth
    for (index, blocks) in depth.blocksPerStage.enumerated() {
      let width = baseWidth << index
      let stage = Sequential([])
      for block in 0..<blocks {
        stage.append(
          BasicBlock(
            channels, width, stride: block == 0 && index > 0 ? 2 : 1, zeroInitializeResidual: zeroInitializeResidual,
            key: key.folded(in: "layer\(index + 1).\(block)")))
        channels = width
      }
      stages.append(stage)
    }
    self.stages = stages
    super.init()
    addChild("conv1", conv1)
    addChild("bn1", bn1)
    for (index, stage) in stages.enumerated() { addChild("layer\(index + 1)", stage) }
  }

  /// `[N, C, H, W] → [N, 8w]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    var y = relu(bn1(conv1(x)))
    if stem == .imagenet { y = maxPool2d(y, kernelSize: 3, stride: 2, padding: 1) }
    for stage in stages { y = stage(y) }
    return globalAveragePool(y)
  }
}
