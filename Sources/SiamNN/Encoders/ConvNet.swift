import SiamTensor

/// The small convolutional encoder: per stage a 3×3 convolution (padding 1, no bias),
/// BatchNorm2d and ReLU, then average pooling over a `pool × pool` grid, flattened.
///
/// The default (widths `[32, 64, 128]`, strides `[1, 2, 2]`, `pool` 2) is
/// `conv3x3(C→32) + BN + ReLU, conv3x3(32→64, s2) + BN + ReLU,
/// conv3x3(64→128, s2) + BN + ReLU`, then the 7×7 map of a 28×28 input averaged over four
/// overlapping 4×4 quadrants (PyTorch's `AdaptiveAvgPool2d(2)` + `flatten`), `D = 512`.
/// The quadrants keep where in the image a feature fired, which a global average (`pool`
/// 1, `D = 128`) throws away: on Fashion-MNIST, whose classes differ by silhouette, that
/// is worth 3.5–6 points of linear-probe accuracy for pretrained and random encoders alike
/// (BENCHMARKS.md), for a negligible cost (a wider projector input).
///
/// When every width is a multiple of 8, the whole stack runs as one primitive on oneDNN's
/// convolutions (`convBatchNormReLUStack`: blocked activations, fused batch norm + ReLU);
/// otherwise, or when the input is itself differentiated, layer by layer.
///
/// Shapes: `[N, C, H, W] → [N, widths.last · pool²]`.
/// Keys (as a PyTorch `nn.Sequential`): `0.weight`, `1.weight`, `1.bias`,
/// `1.running_mean`, `1.running_var`, `1.num_batches_tracked`, `3.weight`, `4.*`, ...
public final class ConvNet: Sequential, FeatureEncoder {
  public static let defaultWidths = [32, 64, 128]
  public static let defaultStrides = [1, 2, 2]
  public static let defaultPool = 2

  public let inputChannels: Int
  public let outputFeatures: Int
  public let pool: Int
  private let convolutions: [Conv2d]
  private let norms: [BatchNorm2d]

  /// - Parameters:
  ///   - inputChannels: `C`.
  ///   - widths: The output channels of each stage; the last is `D`.
  ///   - strides: The stride of each stage's convolution (same count as `widths`).
  ///   - pool: The side of the pooling grid over the last feature map (1: global average).
  ///   - key: Stage `i` draws its convolution from `key.folded(in: UInt64(i))`
  ///     (PyTorch's default convolution initialisation).
  public init(
    inputChannels: Int = 1, widths: [Int] = ConvNet.defaultWidths, strides: [Int] = ConvNet.defaultStrides,
    pool: Int = ConvNet.defaultPool, key: RandomKey
  ) {
    precondition(
      !widths.isEmpty && widths.count == strides.count,
      "ConvNet: widths \(widths) and strides \(strides) must be non-empty and of equal length")
    precondition(pool >= 1, "ConvNet: pool must be at least 1, got \(pool)")
    self.inputChannels = inputChannels
    self.outputFeatures = widths.last! * pool * pool
    self.pool = pool
    var layers: [Module] = []
    var channels = inputChannels
    var convolutions: [Conv2d] = []
    var norms: [BatchNorm2d] = []
    for (index, (width, stride)) in zip(widths, strides).enumerated() {
      convolutions.append(
        Conv2d(
          channels, width, kernelSize: 3, stride: stride, padding: 1, hasBias: false,
          key: key.folded(in: UInt64(index))))
      norms.append(BatchNorm2d(width))
      layers += [convolutions[index], norms[index], ReLU()]
      channels = width
    }
    self.convolutions = convolutions
    self.norms = norms
    if pool == 1 {
      layers.append(GlobalAvgPool())
    } else {
      layers.append(AdaptiveAvgPool2d(outputSize: pool))
      layers.append(Flatten())
    }
    super.init(layers)
  }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    fusedForward(x) ?? super.callAsFunction(x)
  }

  /// The stack as one `convBatchNormReLUStack` call, updating the running statistics as
  /// the BatchNorm layers would; nil when the stack cannot run fused.
  private func fusedForward(_ x: Tensor) -> Tensor? {
    guard x.rank == 4, x.shape[1] == inputChannels, !x.isTracked else { return nil }
    let stages = zip(convolutions, norms).map { convolution, norm in
      ConvStackStage(
        weight: convolution.weight, gamma: norm.weight ?? Tensor(ones: [norm.featureCount]),
        beta: norm.bias ?? Tensor(zeros: [norm.featureCount]), stride: convolution.stride,
        padding: convolution.padding, epsilon: norm.epsilon,
        runningMean: norm.isTraining ? nil : norm.runningMean,
        runningVariance: norm.isTraining ? nil : norm.runningVariance)
    }
    // Values per channel of each stage's batch norm; training mode needs more than one.
    var extent = (x.shape[2], x.shape[3])
    let valuesPerChannel = convolutions.map { convolution in
      extent = (convolution.outputExtent(extent.0), convolution.outputExtent(extent.1))
      return x.shape[0] * extent.0 * extent.1
    }
    guard !isTraining || valuesPerChannel.allSatisfy({ $0 > 1 }), norms.allSatisfy(\.isAffine) else { return nil }
    guard let result = convBatchNormReLUStack(x, stages: stages, pool: pool) else { return nil }
    if isTraining {
      for (index, norm) in norms.enumerated() {
        norm.recordBatchStatistics(
          mean: result.batchMeans[index], variance: result.batchVariances[index],
          valuesPerChannel: valuesPerChannel[index])
      }
    }
    return result.output
  }
}
