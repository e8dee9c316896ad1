import SiamTensor

/// A backbone that maps a batch of images (or vectors) to feature vectors `[N, D]`.
public protocol FeatureEncoder: Module {
  /// `D`, the width of the features it returns.
  var outputFeatures: Int { get }
}

/// A serialisable choice of encoder (what a pipeline file names).
public enum EncoderConfiguration: Sendable, Hashable {
  /// `MLPEncoder` with these hidden widths (the last is `D`).
  case mlp(widths: [Int], hasBatchNorm: Bool = false)
  /// `ConvNet` with these stage widths and strides and this pooling grid.
  case convnet(
    widths: [Int] = ConvNet.defaultWidths, strides: [Int] = ConvNet.defaultStrides, pool: Int = ConvNet.defaultPool)
  /// ResNet-18 with the given stem.
  case resnet18(stem: ResNet.Stem)
  /// ResNet-34 with the given stem.
  case resnet34(stem: ResNet.Stem)

  /// Builds the encoder for inputs of shape `[C, H, W]` (the MLP flattens them).
  public func makeEncoder(inputShape: [Int], key: RandomKey) -> any FeatureEncoder {
    precondition(inputShape.count == 3, "inputShape must be [C, H, W], got \(inputShape)")
    switch self {
    case .mlp(let widths, let hasBatchNorm):
      return MLPEncoder(inputFeatures: inputShape.reduce(1, *), widths: widths, hasBatchNorm: hasBatchNorm, key: key)
    case .convnet(let widths, let strides, let pool):
      return ConvNet(inputChannels: inputShape[0], widths: widths, strides: strides, pool: pool, key: key)
    case .resnet18(let stem):
      return ResNet(depth: .resnet18, stem: stem, inputChannels: inputShape[0], key: key)
    case .resnet34(let stem):
      return ResNet(depth: .resnet34, stem: stem, inputChannels: inputShape[0], key: key)
    }
  }
}
