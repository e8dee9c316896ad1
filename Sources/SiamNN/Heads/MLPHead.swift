import SiamTensor

/// A projector or predictor MLP: hidden layers `Linear [+ BatchNorm1d] + ReLU`, then an
/// output `Linear [+ BatchNorm1d]`.
///
/// Linear layers followed by a BatchNorm have no bias (it would be cancelled). Examples:
/// - SimCLR (v2-style) projector: `MLPHead.projector(inputFeatures: 128,
///   hiddenFeatures: 128, outputFeatures: 64, key:)` =
///   `Linear(128→128, no bias) + BN + ReLU + Linear(128→64)`.
/// - BYOL projector and predictor: `hiddenFeatures: 4096, outputFeatures: 256`, BN in the
///   hidden layer, none at the output.
/// - SimSiam / SimCLR v2 "last BN": `hasLastBatchNorm: true` adds `BatchNorm1d(out)`
///   (non-affine unless `isLastBatchNormAffine`) after the output Linear.
///
/// Shapes: `[N, In] → [N, Out]`.
/// Keys (as a PyTorch `nn.Sequential`): `0.weight`, `1.weight`, `1.bias`,
/// `1.running_mean`, …, `3.weight`, `3.bias` for one hidden layer with BatchNorm.
public final class MLPHead: Sequential {
  public let inputFeatures: Int
  public let outputFeatures: Int

  /// - Parameters:
  ///   - inputFeatures: `In` (the encoder's `D`).
  ///   - hiddenWidths: The width of each hidden layer (may be empty: one Linear).
  ///   - outputFeatures: `Out`.
  ///   - hasBatchNorm: BatchNorm1d after each hidden Linear.
  ///   - hasLastBatchNorm: BatchNorm1d after the output Linear.
  ///   - isLastBatchNormAffine: Whether that last BatchNorm has γ and β.
  ///   - key: Linear `i` draws from `key.folded(in: UInt64(i))`.
  public init(
    inputFeatures: Int, hiddenWidths: [Int], outputFeatures: Int, hasBatchNorm: Bool = true,
    hasLastBatchNorm: Bool = false, isLastBatchNormAffine: Bool = false, key: RandomKey
  ) {
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
    var layers: [Module] = []
    var width = inputFeatures
    for (index, hidden) in hiddenWidths.enumerated() {
      layers.append(Linear(width, hidden, hasBias: !hasBatchNorm, key: key.folded(in: UInt64(index))))
      if hasBatchNorm { layers.append(BatchNorm1d(hidden)) }
      layers.append(ReLU())
      width = hidden
    }
    layers.append(
      Linear(
        width, outputFeatures, hasBias: !hasLastBatchNorm,
        key: key.folded(in: UInt64(hiddenWidths.count))))
    if hasLastBatchNorm { layers.append(BatchNorm1d(outputFeatures, isAffine: isLastBatchNormAffine)) }
    super.init(layers)
  }

  /// A projector with one hidden layer (SimCLR, BYOL, MoCo v2 style).
  public static func projector(
    inputFeatures: Int, hiddenFeatures: Int, outputFeatures: Int, hasBatchNorm: Bool = true,
    hasLastBatchNorm: Bool = false, key: RandomKey
  ) -> MLPHead {
    MLPHead(
      inputFeatures: inputFeatures, hiddenWidths: [hiddenFeatures], outputFeatures: outputFeatures,
      hasBatchNorm: hasBatchNorm, hasLastBatchNorm: hasLastBatchNorm, key: key)
  }

  /// A predictor (BYOL, SimSiam): one hidden layer with BatchNorm, no BatchNorm at the output.
  public static func predictor(
    inputFeatures: Int, hiddenFeatures: Int, outputFeatures: Int, key: RandomKey
  ) -> MLPHead {
    MLPHead(
      inputFeatures: inputFeatures, hiddenWidths: [hiddenFeatures], outputFeatures: outputFeatures,
      hasBatchNorm: true, hasLastBatchNorm: false, key: key)
  }
}
