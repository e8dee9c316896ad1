import SiamTensor

/// A multilayer perceptron encoder: flatten, then per width `Linear [+ BatchNorm1d] + ReLU`.
///
/// Shapes: `[N, ...]` (flattened to `[N, In]`) → `[N, widths.last]`.
/// Keys (as a PyTorch `nn.Sequential`): without BatchNorm `0.weight`, `0.bias`,
/// `2.weight`, ...; with BatchNorm `0.weight` (no bias), `1.weight`, `1.bias`,
/// `1.running_mean`, ..., `3.weight`, ...
public final class MLPEncoder: Sequential, FeatureEncoder {
  public let inputFeatures: Int
  public let outputFeatures: Int

  /// - Parameters:
  ///   - inputFeatures: `In`, the flattened input width.
  ///   - widths: The output width of each layer; the last is `D`.
  ///   - hasBatchNorm: Put a BatchNorm1d after each Linear (which then has no bias).
  ///   - key: Layer `i` draws from `key.folded(in: UInt64(i))`.
  public init(inputFeatures: Int, widths: [Int], hasBatchNorm: Bool = false, key: RandomKey) {
    precondition(!widths.isEmpty, "MLPEncoder needs at least one width")
    self.inputFeatures = inputFeatures
    self.outputFeatures = widths.last!
    var layers: [Module] = []
    var width = inputFeatures
    for (index, next) in widths.enumerated() {
      layers.append(Linear(width, next, hasBias: !hasBatchNorm, key: key.folded(in: UInt64(index))))
      if hasBatchNorm { layers.append(BatchNorm1d(next)) }
      layers.append(ReLU())
      width = next
    }
    super.init(layers)
  }

  /// `[N, ...] → [N, D]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    super.callAsFunction(x.rank == 2 ? x : x.flattened())
  }
}
