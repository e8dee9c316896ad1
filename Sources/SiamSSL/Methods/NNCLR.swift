import SiamNN
import SiamTensor

/// NNCLR (Dwibedi et al., 2021): contrastive learning with nearest neighbours as
/// positives. A support set (a FIFO queue of earlier projections) supplies, for each
/// sample's projection, its nearest neighbour; the neighbour of one view must pick out
/// the prediction of the other view among the batch's.
///
/// Loss: `(nnclrLoss(nn₁, p₂) + nnclrLoss(nn₂, p₁)) / 2` with `zᵥ = projector(encoder(viewᵥ))`
/// L2-normalised, `nnᵥ` the row of the support set with the largest cosine to `zᵥ` (a
/// constant), `pᵥ = predictor(zᵥ)` before normalisation (solo-learn's `NNCLR`). After the
/// loss, view 1's normalised projections are enqueued. The support set starts as random
/// unit vectors, as MoCo's queue does; its size must be a multiple of the batch size.
///
/// Modules: `encoder`, `projector`, `predictor` (trained); buffers `queue` `[1, Q, D]`
/// and `queue_ptr` `[]`. Metrics: `loss`, `neighbour_similarity` (mean cosine of `z₁`
/// and its neighbour: near 1 once the support set holds the data), `positive_similarity`
/// (cos of `p₁` and `z₂`), `embedding_std` (of `z₁`), `temperature`.
public final class NNCLR: ConfiguredMethod {
  /// NNCLR's hyperparameters: τ 0.1, projector 2048 → 2048 → 256 with BatchNorm
  /// (non-affine at the output), predictor 4096 → 256, support set 98,304.
  public struct Configuration: Codable, Sendable, Hashable {
    public var temperature: Float = 0.1
    public var projectorHiddenWidths: [Int] = [2048, 2048]
    public var projectorOutputFeatures: Int = 256
    public var predictorHiddenWidths: [Int] = [4096]
    /// `Q`, the support set's size; a multiple of the batch size.
    public var queueSize: Int = 98_304

    public init(
      temperature: Float = 0.1, projectorHiddenWidths: [Int] = [2048, 2048], projectorOutputFeatures: Int = 256,
      predictorHiddenWidths: [Int] = [4096], queueSize: Int = 98_304
    ) {
      self.temperature = temperature
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.predictorHiddenWidths = predictorHiddenWidths
      self.queueSize = queueSize
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values, including a support
    /// set that is not a multiple of `batchSize`.
    public func validate(batchSize: Int) throws {
      try require(temperature > 0, "temperature", "must be positive, got \(temperature)")
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try requirePositiveWidths(predictorHiddenWidths, "predictorHiddenWidths")
      try require(batchSize > 1, "batchSize", "must be at least 2, got \(batchSize)")
      try requireQueueSize(queueSize, batchSize: batchSize, what: "support set")
    }
  }

  public static let methodName = "nnclr"
  public let configuration: Configuration
  /// `N`: every step's views must have this many rows.
  public let batchSize: Int
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let predictor: MLPHead
  public let trainableModule: Module
  public let stateModule: Module

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated against `batchSize`).
  ///   - batchSize: `N`, fixed for the run.
  ///   - makeEncoder: Builds the backbone from a key.
  ///   - key: The root key (`encoder`, `projector`, `predictor`, `queue` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(
    configuration: Configuration, batchSize: Int, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey
  ) throws {
    try configuration.validate(batchSize: batchSize)
    self.configuration = configuration
    self.batchSize = batchSize
    let output = configuration.projectorOutputFeatures
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: configuration.projectorHiddenWidths, outputFeatures: output,
      hasLastBatchNorm: true, key: key)
    predictor = MLPHead(
      inputFeatures: output, hiddenWidths: configuration.predictorHiddenWidths, outputFeatures: output,
      key: MethodKey.predictor(key))
    (encoder, projector) = (online.encoder, online.projector)
    trainableModule = ModuleDictionary(online.modules() + [("predictor", predictor)])
    let state = ModuleDictionary(online.modules() + [("predictor", predictor)])
    let queue = FeatureQueue.random(slots: 1, size: configuration.queueSize, width: output, key: MethodKey.queue(key))
    queue.addBuffers(to: state)
    stateModule = state
  }

  /// The support set as stored in `stateModule`.
  public var queue: FeatureQueue {
    get { FeatureQueue(buffersOf: stateModule) }
    set { newValue.store(in: stateModule) }
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    precondition(
      views[0].shape[0] == batchSize, "nnclr: batch of \(views[0].shape[0]) for a method built for \(batchSize)")
    var queue = self.queue
    let tau = configuration.temperature
    var normalized: [Tensor] = []
    var neighbours: [Tensor] = []
    var predictions: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let z = views.map { projector(encoder($0)) }
      let p = z.map { predictor($0) }
      normalized = z.map { l2Normalized($0.detached(), alongAxis: 1) }
      neighbours = normalized.map { queue.nearestNeighbours(of: $0).rows }
      predictions = p.map { $0.detached() }
      let first = nnclrLoss(neighbours: neighbours[0], predictions: p[1], temperature: tau)
      let second = nnclrLoss(neighbours: neighbours[1], predictions: p[0], temperature: tau)
      return (first + second) / 2
    }
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "neighbour_similarity": EmbeddingStatistics.positiveSimilarity(normalized[0], neighbours[0]),
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(predictions[0], normalized[1]),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(normalized[0]),
      "temperature": tau,
    ]
    queue.enqueue([normalized[0]])
    self.queue = queue
    return (loss.scalar, gradients, metrics)
  }

  public func loadState(_ tensors: [String: Tensor], source: String?) throws {
    try checkQueuePointer(tensors, size: configuration.queueSize, batchSize: batchSize, source: source)
    try stateModule.loadTensors(tensors, isStrict: true, source: source)
  }
}

extension NNCLR {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try NNCLR(configuration: configuration, batchSize: build.batchSize, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// NNCLR with `configuration`.
  public static func nnclr(_ configuration: NNCLR.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(NNCLR.self, configuration)
  }
}
