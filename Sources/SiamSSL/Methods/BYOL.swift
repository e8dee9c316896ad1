import SiamNN
import SiamTensor

/// BYOL (Grill et al., 2020): an online encoder, projector and predictor regress the
/// projections of a target network, an EMA of the online encoder and projector.
///
/// Loss: `byolLoss(p1, z2′) + byolLoss(p2, z1′)`, the `2 − 2·cos` of each direction
/// averaged over the batch and summed over the two directions (DeepMind's scale, as in
/// solo-learn: in `[0, 8]`, 0 when aligned). With `isSymmetric` false only the first
/// direction is computed, `byolLoss(p1, z2′)` in `[0, 4]` (view 1 through the online
/// network, view 2 through the target, as MoCo v2's query and key): a step then costs
/// half as much, so a time budget holds twice the epochs. The target momentum rises from
/// `baseMomentum` (0.99 here; the paper's ImageNet value is 0.996) to `finalMomentum` (1)
/// on a cosine over all steps; the target's BatchNorm running statistics come from its
/// own forward passes.
///
/// Modules: `encoder`, `projector`, `predictor` (trained); `momentum_encoder`,
/// `momentum_projector`. Metrics: `loss`, `positive_similarity` (cos of prediction and
/// target), `embedding_std`; `afterOptimizerStep` reports `momentum`.
public final class BYOL: ConfiguredMethod {
  /// BYOL's hyperparameters: projector and predictor 4096 → 256 with BatchNorm,
  /// momentum 0.99 → 1.
  public struct Configuration: Codable, Sendable, Hashable {
    public var projectorHiddenWidths: [Int] = [4096]
    public var projectorOutputFeatures: Int = 256
    public var predictorHiddenWidths: [Int] = [4096]
    public var baseMomentum: Float = 0.99
    public var finalMomentum: Float = 1
    /// Both directions (the paper) or view 1 → view 2 only.
    public var isSymmetric: Bool = true

    public init(
      projectorHiddenWidths: [Int] = [4096], projectorOutputFeatures: Int = 256,
      predictorHiddenWidths: [Int] = [4096], baseMomentum: Float = 0.99, finalMomentum: Float = 1,
      isSymmetric: Bool = true
    ) {
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.predictorHiddenWidths = predictorHiddenWidths
      self.baseMomentum = baseMomentum
      self.finalMomentum = finalMomentum
      self.isSymmetric = isSymmetric
    }

    public var momentumSchedule: MomentumSchedule { MomentumSchedule(base: baseMomentum, final: finalMomentum) }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try requirePositiveWidths(predictorHiddenWidths, "predictorHiddenWidths")
      try momentumSchedule.validate(key: "baseMomentum")
    }
  }

  public static let methodName = "byol"
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
  ///   - makeEncoder: Builds the backbone from a key; called twice (the target copy then
  ///     takes the online weights).
  ///   - key: The root key (`encoder`, `projector`, `predictor` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(configuration: Configuration, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey) throws {
    try configuration.validate()
    self.configuration = configuration
    let (hidden, output) = (configuration.projectorHiddenWidths, configuration.projectorOutputFeatures)
    let online = ProjectedEncoder(makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output, key: key)
    let target = ProjectedEncoder(
      copying: online, makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output, key: key)
    predictor = MLPHead(
      inputFeatures: output, hiddenWidths: configuration.predictorHiddenWidths, outputFeatures: output,
      key: MethodKey.predictor(key))
    (encoder, projector) = (online.encoder, online.projector)
    (momentumEncoder, momentumProjector) = (target.encoder, target.projector)
    trainableModule = ModuleDictionary(online.modules() + [("predictor", predictor)])
    stateModule = ModuleDictionary(online.modules() + [("predictor", predictor)] + target.modules(prefix: "momentum_"))
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    // Targets of the views the predictions regress: view 2 for view 1, and view 1 for
    // view 2 when symmetric (untracked).
    let symmetric = configuration.isSymmetric
    let targets = (symmetric ? [1, 0] : [1]).map { momentumProjector(momentumEncoder(views[$0])) }
    var projections: [Tensor] = []
    var predictions: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = (symmetric ? [0, 1] : [0]).map { projector(encoder(views[$0])) }
      let p = z.map { predictor($0) }
      projections = z.map { $0.detached() }
      predictions = p.map { $0.detached() }
      let terms = zip(p, targets).map { byolLoss(prediction: $0, target: $1) }
      return terms.dropFirst().reduce(terms[0], +)
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(predictions[0], targets[0]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(projections[0]),
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

extension BYOL {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try BYOL(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// BYOL with `configuration`.
  public static func byol(_ configuration: BYOL.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(BYOL.self, configuration)
  }
}
