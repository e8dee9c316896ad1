import SiamNN
import SiamTensor

/// The branch every method is built around: the backbone and its projector MLP, drawn
/// from the method's root key (`MethodKey.encoder`, `MethodKey.projector`). Momentum
/// methods take a second one with the same architecture and weights as their target.
struct ProjectedEncoder {
  let encoder: any FeatureEncoder
  let projector: MLPHead

  /// - Parameters:
  ///   - makeEncoder: Builds the backbone from a key.
  ///   - hiddenWidths: The projector's hidden widths.
  ///   - outputFeatures: The projector's output width.
  ///   - hasBatchNorm: BatchNorm1d after each hidden Linear of the projector.
  ///   - hasLastBatchNorm: BatchNorm1d after its output Linear (SimSiam).
  ///   - key: The method's root key.
  init(
    makeEncoder: (RandomKey) -> any FeatureEncoder, hiddenWidths: [Int], outputFeatures: Int,
    hasBatchNorm: Bool = true, hasLastBatchNorm: Bool = false, key: RandomKey
  ) {
    let encoder = makeEncoder(MethodKey.encoder(key))
    self.encoder = encoder
    projector = MLPHead(
      inputFeatures: encoder.outputFeatures, hiddenWidths: hiddenWidths, outputFeatures: outputFeatures,
      hasBatchNorm: hasBatchNorm, hasLastBatchNorm: hasLastBatchNorm, key: MethodKey.projector(key))
  }

  /// A branch built as `init` builds one, then holding `online`'s tensors: the momentum
  /// (target) network, which starts as a copy of the online one.
  init(
    copying online: ProjectedEncoder, makeEncoder: (RandomKey) -> any FeatureEncoder, hiddenWidths: [Int],
    outputFeatures: Int, hasBatchNorm: Bool = true, hasLastBatchNorm: Bool = false, key: RandomKey
  ) {
    self.init(
      makeEncoder: makeEncoder, hiddenWidths: hiddenWidths, outputFeatures: outputFeatures,
      hasBatchNorm: hasBatchNorm, hasLastBatchNorm: hasLastBatchNorm, key: key)
    copyTensors(from: online.encoder, to: encoder)
    copyTensors(from: online.projector, to: projector)
  }

  /// `projector(encoder(x))`.
  func callAsFunction(_ x: Tensor) -> Tensor { projector(encoder(x)) }

  /// The two modules under `prefix + "encoder"` and `prefix + "projector"`, for a
  /// `ModuleDictionary`.
  func modules(prefix: String = "") -> [(name: String, module: Module)] {
    [(prefix + "encoder", encoder), (prefix + "projector", projector)]
  }
}
