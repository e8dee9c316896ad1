import Foundation
import SiamTensor

/// How a layer's weight is initialised. Every scheme draws from an explicit key.
public enum WeightInitialization: Sendable, Hashable {
  /// PyTorch's default for `nn.Linear` and `nn.Conv2d`: `kaiming_uniform_(a=√5)`, that is
  /// `U(−1/√fanIn, 1/√fanIn)`; the bias is `U(−1/√fanIn, 1/√fanIn)` too.
  case pytorchDefault
  /// torchvision's ResNet convolutions: `kaiming_normal_(mode="fan_out",
  /// nonlinearity="relu")`, that is `N(0, 2/fanOut)` with `fanOut = out·KH·KW`.
  case kaimingNormalFanOut

  /// A weight of `shape` (`[Out, In, ...]`) drawn from `key`.
  func makeWeight(shape: [Int], key: RandomKey) -> Tensor {
    let receptive = shape.dropFirst(2).reduce(1, *)
    switch self {
    case .pytorchDefault:
      let bound = 1 / Float(shape[1] * receptive).squareRoot()
      return Tensor.randomUniform(shape: shape, lower: -bound, upper: bound, key: key)
    case .kaimingNormalFanOut:
      let deviation = (2 / Float(shape[0] * receptive)).squareRoot()
      return Tensor.randomNormal(shape: shape, mean: 0, standardDeviation: deviation, key: key)
    }
  }
}

/// PyTorch's default bias: `U(−1/√fanIn, 1/√fanIn)`.
func makeDefaultBias(count: Int, fanIn: Int, key: RandomKey) -> Tensor {
  let bound = 1 / Float(fanIn).squareRoot()
  return Tensor.randomUniform(shape: [count], lower: -bound, upper: bound, key: key)
}
