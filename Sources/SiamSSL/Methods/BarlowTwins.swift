import SiamNN
import SiamTensor

/// Barlow Twins (Zbontar et al., 2021): a shared encoder and projector; the
/// cross-correlation of the standardised projections of the two views is pushed towards
/// the identity (`barlowTwinsLoss`).
///
/// Modules: `encoder`, `projector` (trained). Metrics: `loss`, `positive_similarity`
/// (cos of z1 and z2), `embedding_std`.
public final class BarlowTwins: ConfiguredMethod {
  /// Barlow Twins' hyperparameters: λ = 5e-3, projector 8192-8192-8192 with BatchNorm
  /// and ReLU after the hidden layers.
  public struct Configuration: Codable, Sendable, Hashable {
    public var lambda: Float = 5e-3
    public var projectorHiddenWidths: [Int] = [8192, 8192]
    public var projectorOutputFeatures: Int = 8192

    public init(lambda: Float = 5e-3, projectorHiddenWidths: [Int] = [8192, 8192], projectorOutputFeatures: Int = 8192)
    {
      self.lambda = lambda
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try require(lambda >= 0, "lambda", "must be non-negative, got \(lambda)")
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
    }
  }

  public static let methodName = "barlow_twins"
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
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = views.map { projector(encoder($0)) }
      projections = z.map { $0.detached() }
      return barlowTwinsLoss(z[0], z[1], lambda: configuration.lambda)
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(projections[0], projections[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(projections[0]),
    ]
    return (loss.scalar, gradients, metrics)
  }
}

extension BarlowTwins {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try BarlowTwins(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// BarlowTwins with `configuration`.
  public static func barlowTwins(_ configuration: BarlowTwins.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(BarlowTwins.self, configuration)
  }
}
