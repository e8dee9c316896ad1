import SiamNN
import SiamTensor

/// SimCLR (Chen et al., 2020): a shared encoder and projector on both views, NT-Xent over
/// the `2N` projections.
///
/// Each view goes through the network separately (BatchNorm statistics per view, as in
/// solo-learn). Modules: `encoder`, `projector` (both trained).
///
/// Metrics: `loss`, `positive_similarity` and `negative_similarity` (mean cosine of
/// matching and non-matching cross-view pairs), `embedding_std`, `temperature`.
public final class SimCLR: ConfiguredMethod {
  /// SimCLR's hyperparameters; defaults from the paper (projector 2048 → 128) with
  /// τ = 0.5 (the CIFAR setting).
  public struct Configuration: Codable, Sendable, Hashable {
    public var temperature: Float = 0.5
    /// Hidden widths of the projector MLP.
    public var projectorHiddenWidths: [Int] = [2048]
    public var projectorOutputFeatures: Int = 128
    /// BatchNorm after each hidden Linear of the projector (SimCLR's code has it).
    public var projectorHasBatchNorm: Bool = true

    public init(
      temperature: Float = 0.5, projectorHiddenWidths: [Int] = [2048], projectorOutputFeatures: Int = 128,
      projectorHasBatchNorm: Bool = true
    ) {
      self.temperature = temperature
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.projectorHasBatchNorm = projectorHasBatchNorm
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try require(temperature > 0, "temperature", "must be positive, got \(temperature)")
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
    }
  }

  public static let methodName = "simclr"
  public let configuration: Configuration
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let trainableModule: Module
  public var stateModule: Module { trainableModule }

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated).
  ///   - makeEncoder: Builds the backbone from a key.
  ///   - key: The root key; the encoder draws from `key.folded(in: "encoder")`, the
  ///     projector from `"projector"`.
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(configuration: Configuration, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey) throws {
    try configuration.validate()
    self.configuration = configuration
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: configuration.projectorHiddenWidths,
      outputFeatures: configuration.projectorOutputFeatures, hasBatchNorm: configuration.projectorHasBatchNorm, key: key
    )
    (encoder, projector) = (online.encoder, online.projector)
    trainableModule = ModuleDictionary(online.modules())
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    var projections: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = views.map { projector(encoder($0)) }
      projections = z.map { $0.detached() }
      return ntXentLoss(z[0], z[1], temperature: configuration.temperature)
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(projections[0], projections[1]),
      "negative_similarity": EmbeddingStatistics.negativeSimilarity(projections[0], projections[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(projections[0]),
      "temperature": configuration.temperature,
    ]
    return (loss.scalar, gradients, metrics)
  }
}

extension SimCLR {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try SimCLR(configuration: configuration, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// SimCLR with `configuration`.
  public static func simclr(_ configuration: SimCLR.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(SimCLR.self, configuration)
  }
}
