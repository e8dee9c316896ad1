import SiamNN
import SiamTensor

/// MoCo v3 (Chen, Xie & He, 2021): an online encoder, projector and predictor; a
/// momentum encoder and projector supply the keys; no queue: each query meets the
/// other in-batch keys as negatives.
///
/// Loss: `mocoV3Loss(q₁, k₂) + mocoV3Loss(q₂, k₁)` (symmetric; each term InfoNCE scaled
/// by `2τ`, in `[0, 4τ·log N]`), with `qᵥ = predictor(projector(encoder(viewᵥ)))` and `kᵥ`
/// from the momentum network, both L2-normalised inside the loss. The momentum rises
/// from `baseMomentum` to `finalMomentum` (1) on a cosine over all steps, as in the
/// paper's code. The projector ends with a non-affine BatchNorm (`projectorHasLastBatchNorm`,
/// the paper's `last_bn`); the predictor does not.
///
/// Modules: `encoder`, `projector`, `predictor` (trained); `momentum_encoder`,
/// `momentum_projector`. Metrics: `loss`, `positive_similarity` (cos of `q₁` and `k₂`),
/// `negative_similarity` (across non-matching rows), `embedding_std` (of `q₁`),
/// `temperature`; `afterOptimizerStep` reports `momentum`.
public final class MoCoV3: ConfiguredMethod {
  /// MoCo v3's hyperparameters (the paper's ResNet settings): τ = 0.2, projector
  /// 4096 → 4096 → 256 with BatchNorm (non-affine at the output), predictor 4096 → 256,
  /// momentum 0.99 → 1.
  public struct Configuration: Codable, Sendable, Hashable {
    public var temperature: Float = 0.2
    public var projectorHiddenWidths: [Int] = [4096, 4096]
    public var projectorOutputFeatures: Int = 256
    /// A non-affine BatchNorm1d after the projector's output Linear.
    public var projectorHasLastBatchNorm: Bool = true
    public var predictorHiddenWidths: [Int] = [4096]
    /// `m` at step 0.
    public var baseMomentum: Float = 0.99
    /// `m` at the last step (cosine schedule).
    public var finalMomentum: Float = 1

    public init(
      temperature: Float = 0.2, projectorHiddenWidths: [Int] = [4096, 4096], projectorOutputFeatures: Int = 256,
      projectorHasLastBatchNorm: Bool = true, predictorHiddenWidths: [Int] = [4096], baseMomentum: Float = 0.99,
      finalMomentum: Float = 1
    ) {
      self.temperature = temperature
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.projectorHasLastBatchNorm = projectorHasLastBatchNorm
      self.predictorHiddenWidths = predictorHiddenWidths
      self.baseMomentum = baseMomentum
      self.finalMomentum = finalMomentum
    }

    public var momentumSchedule: MomentumSchedule { MomentumSchedule(base: baseMomentum, final: finalMomentum) }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try require(temperature > 0, "temperature", "must be positive, got \(temperature)")
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try requirePositiveWidths(predictorHiddenWidths, "predictorHiddenWidths")
      try momentumSchedule.validate(key: "baseMomentum")
    }
  }

  public static let methodName = "mocov3"
  public let configuration: Configuration
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let predictor: MLPHead
  public let momentumEncoder: any FeatureEncoder
  public let momentumProjector: MLPHead
  public let trainableModule: Module
  public let stateModule: Module

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated).
  ///   - makeEncoder: Builds the backbone from a key; called twice (the momentum copy
  ///     then takes the online weights).
  ///   - key: The root key (`encoder`, `projector`, `predictor` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(configuration: Configuration, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey) throws {
    try configuration.validate()
    self.configuration = configuration
    let (hidden, output) = (configuration.projectorHiddenWidths, configuration.projectorOutputFeatures)
    let lastBatchNorm = configuration.projectorHasLastBatchNorm
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output, hasLastBatchNorm: lastBatchNorm, key: key)
    let momentum = ProjectedEncoder(
      copying: online, makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output,
      hasLastBatchNorm: lastBatchNorm, key: key)
    predictor = MLPHead(
      inputFeatures: output, hiddenWidths: configuration.predictorHiddenWidths, outputFeatures: output,
      key: MethodKey.predictor(key))
    (encoder, projector) = (online.encoder, online.projector)
    (momentumEncoder, momentumProjector) = (momentum.encoder, momentum.projector)
    trainableModule = ModuleDictionary(online.modules() + [("predictor", predictor)])
    stateModule = ModuleDictionary(
      online.modules() + [("predictor", predictor)] + momentum.modules(prefix: "momentum_"))
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    let tau = configuration.temperature
    // Keys of both views through the momentum network (untracked).
    let keys = views.map { momentumProjector(momentumEncoder($0)) }
    var queries: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let q = views.map { predictor(projector(encoder($0))) }
      queries = q.map { $0.detached() }
      return mocoV3Loss(query: q[0], key: keys[1], temperature: tau)
        + mocoV3Loss(query: q[1], key: keys[0], temperature: tau)
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(queries[0], keys[1]),
      "negative_similarity": EmbeddingStatistics.negativeSimilarity(queries[0], keys[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(queries[0]),
      "temperature": tau,
    ]
    return (loss.scalar, gradients, metrics)
  }

  @discardableResult
  public func afterOptimizerStep(step: Int, totalSteps: Int) -> [String: Float] {
    momentumStep(
      [(momentumEncoder, encoder), (momentumProjector, projector)], schedule: configuration.momentumSchedule,
      step: step, totalSteps: totalSteps)
  }
}

extension MoCoV3 {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try MoCoV3(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// MoCoV3 with `configuration`.
  public static func mocov3(_ configuration: MoCoV3.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(MoCoV3.self, configuration)
  }
}
