import SiamNN
import SiamTensor

/// VICReg (Bardes et al., 2022): a shared encoder and projector; invariance between the
/// views, a hinge on each dimension's standard deviation and decorrelation of the
/// dimensions (`vicregLossTerms`).
///
/// Modules: `encoder`, `projector` (trained). Metrics: `loss`, `invariance_loss`,
/// `variance_loss`, `covariance_loss` (unweighted terms), `positive_similarity`,
/// `embedding_std`.
public final class VICReg: ConfiguredMethod {
  /// VICReg's hyperparameters: λ = μ = 25, ν = 1, projector 8192-8192-8192 with
  /// BatchNorm and ReLU after the hidden layers.
  public struct Configuration: Codable, Sendable, Hashable {
    public var invarianceWeight: Float = 25
    public var varianceWeight: Float = 25
    public var covarianceWeight: Float = 1
    public var projectorHiddenWidths: [Int] = [8192, 8192]
    public var projectorOutputFeatures: Int = 8192

    public init(
      invarianceWeight: Float = 25, varianceWeight: Float = 25, covarianceWeight: Float = 1,
      projectorHiddenWidths: [Int] = [8192, 8192], projectorOutputFeatures: Int = 8192
    ) {
      self.invarianceWeight = invarianceWeight
      self.varianceWeight = varianceWeight
      self.covarianceWeight = covarianceWeight
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      for (weight, key) in [
        (invarianceWeight, "invarianceWeight"), (varianceWeight, "varianceWeight"),
        (covarianceWeight, "covarianceWeight"),
      ] {
        try require(weight >= 0, key, "must be non-negative, got \(weight)")
      }
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
    }
  }

  public static let methodName = "vicreg"
  public let configuration: Configuration
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let trainableModule: Module
  public var stateModule: Module { trainableModule }

  /// - Throws: `SSLError.invalidConfiguration`.
  public init(configuration: Configuration, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey) throws {
    try configuration.validate()
    self.configuration = configuration
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: configuration.projectorHiddenWidths,
      outputFeatures: configuration.projectorOutputFeatures, key: key)
    (encoder, projector) = (online.encoder, online.projector)
    trainableModule = ModuleDictionary(online.modules())
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    var projections: [Tensor] = []
    var terms: VICRegLossTerms?
    let c = configuration
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = views.map { projector(encoder($0)) }
      projections = z.map { $0.detached() }
      let lossTerms = vicregLossTerms(z[0], z[1])
      terms = lossTerms
      return lossTerms.total(invariance: c.invarianceWeight, variance: c.varianceWeight, covariance: c.covarianceWeight)
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "invariance_loss": terms!.invariance.detached().scalar,
      "variance_loss": terms!.variance.detached().scalar,
      "covariance_loss": terms!.covariance.detached().scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(projections[0], projections[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(projections[0]),
    ]
    return (loss.scalar, gradients, metrics)
  }
}

extension VICReg {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try VICReg(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// VICReg with `configuration`.
  public static func vicreg(_ configuration: VICReg.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(VICReg.self, configuration)
  }
}
