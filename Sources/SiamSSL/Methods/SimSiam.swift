import SiamNN
import SiamTensor

/// SimSiam (Chen & He, 2021): an encoder, projector and predictor; each view's prediction
/// regresses the other view's projection under a stop-gradient. No momentum network.
///
/// Loss: `negativeCosineLoss(p1, z2)/2 + negativeCosineLoss(p2, z1)/2` (in `[−1, 1]`).
/// The projector ends with a BatchNorm without affine parameters, as in the paper.
///
/// Modules: `encoder`, `projector`, `predictor` (all trained). Metrics: `loss`,
/// `positive_similarity` (cos of p1 and z2), `embedding_std` (the paper's collapse
/// monitor, the std of the normalised z).
public final class SimSiam: ConfiguredMethod {
  /// SimSiam's hyperparameters: projector 2048-2048-2048 with BatchNorm on every layer,
  /// predictor bottleneck 512.
  public struct Configuration: Codable, Sendable, Hashable {
    public var projectorHiddenWidths: [Int] = [2048, 2048]
    public var projectorOutputFeatures: Int = 2048
    public var predictorHiddenWidths: [Int] = [512]

    public init(
      projectorHiddenWidths: [Int] = [2048, 2048], projectorOutputFeatures: Int = 2048,
      predictorHiddenWidths: [Int] = [512]
    ) {
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.predictorHiddenWidths = predictorHiddenWidths
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try requirePositiveWidths(predictorHiddenWidths, "predictorHiddenWidths")
    }
  }

  public static let methodName = "simsiam"
  public let configuration: Configuration
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let predictor: MLPHead
  public let trainableModule: Module
  public var stateModule: Module { trainableModule }

  /// - Throws: `SSLError.invalidConfiguration`.
  public init(configuration: Configuration, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey) throws {
    try configuration.validate()
    self.configuration = configuration
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: configuration.projectorHiddenWidths,
      outputFeatures: configuration.projectorOutputFeatures, hasLastBatchNorm: true, key: key)
    (encoder, projector) = (online.encoder, online.projector)
    predictor = MLPHead(
      inputFeatures: configuration.projectorOutputFeatures, hiddenWidths: configuration.predictorHiddenWidths,
      outputFeatures: configuration.projectorOutputFeatures, key: MethodKey.predictor(key))
    trainableModule = ModuleDictionary(online.modules() + [("predictor", predictor)])
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    var projections: [Tensor] = []
    var predictions: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = views.map { projector(encoder($0)) }
      let p = z.map { predictor($0) }
      projections = z.map { $0.detached() }
      predictions = p.map { $0.detached() }
      return (negativeCosineLoss(prediction: p[0], target: z[1]) + negativeCosineLoss(prediction: p[1], target: z[0]))
        / 2
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(predictions[0], projections[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(projections[0]),
    ]
    return (loss.scalar, gradients, metrics)
  }
}

extension SimSiam {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try SimSiam(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// SimSiam with `configuration`.
  public static func simsiam(_ configuration: SimSiam.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(SimSiam.self, configuration)
  }
}
