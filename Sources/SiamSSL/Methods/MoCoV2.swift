import SiamNN
import SiamTensor

/// MoCo v2 (Chen et al., 2020): a query encoder and projector trained with InfoNCE against
/// the keys of a momentum (EMA) copy and a FIFO queue of earlier keys.
///
/// Asymmetric (the paper): the query of view 1 against the key of view 2; the keys of
/// view 2 are enqueued. Symmetric (`isSymmetric`, solo-learn's MoCo v2+): the mean of
/// both directions, with one queue slot per view (`q1` meets the old keys of view 2 and
/// `q2` those of view 1). Queries and keys are L2-normalised here, before `infoNCELoss`.
/// The keys are enqueued after the loss of the step that computed them.
///
/// The key encoder runs in training mode with its own batch statistics. MoCo's
/// shuffle-BN (shuffling the batch across GPUs so that BatchNorm cannot leak which
/// samples pair up) does not apply on one device and is not done; with a BatchNorm
/// encoder the queue of earlier batches still supplies the negatives.
///
/// Modules: `encoder`, `projector` (trained); `momentum_encoder`, `momentum_projector`;
/// buffers `queue` `[S, K, D]` and `queue_ptr` `[]`.
/// Metrics: `loss`, `positive_similarity` (q·k), `negative_similarity` (q·queue),
/// `embedding_std`, `temperature`; `afterOptimizerStep` reports `momentum`.
public final class MoCoV2: ConfiguredMethod {
  /// MoCo v2's hyperparameters: τ = 0.2, projector 2048 → 128 without BatchNorm, queue
  /// 4096 (the paper's 65536 suits ImageNet), momentum 0.99 (paper: 0.999), constant
  /// unless `finalMomentum` is larger.
  public struct Configuration: Codable, Sendable, Hashable {
    public var temperature: Float = 0.2
    public var projectorHiddenWidths: [Int] = [2048]
    public var projectorOutputFeatures: Int = 128
    public var projectorHasBatchNorm: Bool = false
    /// `K`, a multiple of the batch size.
    public var queueSize: Int = 4096
    /// `m` at step 0.
    public var momentum: Float = 0.99
    /// `m` at the last step (cosine schedule); nil: constant `momentum`.
    public var finalMomentum: Float? = nil
    /// Symmetric loss over both views (MoCo v2+).
    public var isSymmetric: Bool = false

    public init(
      temperature: Float = 0.2, projectorHiddenWidths: [Int] = [2048], projectorOutputFeatures: Int = 128,
      projectorHasBatchNorm: Bool = false, queueSize: Int = 4096, momentum: Float = 0.99,
      finalMomentum: Float? = nil, isSymmetric: Bool = false
    ) {
      self.temperature = temperature
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.projectorHasBatchNorm = projectorHasBatchNorm
      self.queueSize = queueSize
      self.momentum = momentum
      self.finalMomentum = finalMomentum
      self.isSymmetric = isSymmetric
    }

    /// The momentum schedule these values describe.
    public var momentumSchedule: MomentumSchedule {
      MomentumSchedule(base: momentum, final: finalMomentum ?? momentum)
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values, including a queue
    /// size that is not a multiple of `batchSize`.
    public func validate(batchSize: Int) throws {
      try require(temperature > 0, "temperature", "must be positive, got \(temperature)")
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try momentumSchedule.validate(key: "momentum")
      try require(batchSize > 1, "batchSize", "must be at least 2, got \(batchSize)")
      try requireQueueSize(queueSize, batchSize: batchSize, what: "queue")
    }
  }

  public static let methodName = "mocov2"
  public let configuration: Configuration
  /// `N`: every step's views must have this many rows.
  public let batchSize: Int
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let momentumEncoder: any FeatureEncoder
  public let momentumProjector: MLPHead
  public let trainableModule: Module
  public let stateModule: Module

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated against `batchSize`).
  ///   - batchSize: `N`, fixed for the run (the loader drops the last partial batch).
  ///   - makeEncoder: Builds the backbone from a key; called twice (the momentum copy
  ///     then takes the online weights).
  ///   - key: The root key (`encoder`, `projector`, `queue` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(
    configuration: Configuration, batchSize: Int, makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey
  ) throws {
    try configuration.validate(batchSize: batchSize)
    self.configuration = configuration
    self.batchSize = batchSize
    let (hidden, output) = (configuration.projectorHiddenWidths, configuration.projectorOutputFeatures)
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output,
      hasBatchNorm: configuration.projectorHasBatchNorm, key: key)
    let momentum = ProjectedEncoder(
      copying: online, makeEncoder: makeEncoder, hiddenWidths: hidden, outputFeatures: output,
      hasBatchNorm: configuration.projectorHasBatchNorm, key: key)
    (encoder, projector) = (online.encoder, online.projector)
    (momentumEncoder, momentumProjector) = (momentum.encoder, momentum.projector)
    trainableModule = ModuleDictionary(online.modules())
    let state = ModuleDictionary(online.modules() + momentum.modules(prefix: "momentum_"))
    let queue = FeatureQueue.random(
      slots: configuration.isSymmetric ? 2 : 1, size: configuration.queueSize,
      width: configuration.projectorOutputFeatures, key: MethodKey.queue(key))
    queue.addBuffers(to: state)
    stateModule = state
  }

  /// The queue as stored in `stateModule`.
  public var queue: FeatureQueue {
    get { FeatureQueue(buffersOf: stateModule) }
    set { newValue.store(in: stateModule) }
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkViews(views)
    precondition(
      views[0].shape[0] == batchSize, "mocov2: batch of \(views[0].shape[0]) for a method built for \(batchSize)")
    let symmetric = configuration.isSymmetric
    // Keys: view 2 (and view 1 when symmetric) through the momentum network, untracked.
    let keyViews = symmetric ? [0, 1] : [1]
    let keys = keyViews.map { l2Normalized(momentumProjector(momentumEncoder(views[$0])), alongAxis: 1) }
    var queue = self.queue
    let tau = configuration.temperature
    var queries: [Tensor] = []
    let (loss, gradients) = valueAndGradient(of: trainableModule) { _ in
      let queryViews = symmetric ? [0, 1] : [0]
      let q = queryViews.map { l2Normalized(projector(encoder(views[$0])), alongAxis: 1) }
      queries = q.map { $0.detached() }
      if symmetric {
        let first = infoNCELoss(query: q[0], key: keys[1], queue: queue.keys(slot: 1), temperature: tau)
        let second = infoNCELoss(query: q[1], key: keys[0], queue: queue.keys(slot: 0), temperature: tau)
        return (first + second) / 2
      }
      return infoNCELoss(query: q[0], key: keys[0], queue: queue.keys(slot: 0), temperature: tau)
    }
    let positiveKey = symmetric ? keys[1] : keys[0]
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "positive_similarity": EmbeddingStatistics.positiveSimilarity(queries[0], positiveKey),
      "negative_similarity": EmbeddingStatistics.queueSimilarity(
        queries[0], queue: queue.keys(slot: symmetric ? 1 : 0)),
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(queries[0]),
      "temperature": tau,
    ]
    queue.enqueue(keys)
    self.queue = queue
    return (loss.scalar, gradients, metrics)
  }

  @discardableResult
  public func afterOptimizerStep(step: Int, totalSteps: Int) -> [String: Float] {
    momentumStep(
      [(momentumEncoder, encoder), (momentumProjector, projector)], schedule: configuration.momentumSchedule,
      step: step, totalSteps: totalSteps)
  }

  public func loadState(_ tensors: [String: Tensor], source: String?) throws {
    try checkQueuePointer(tensors, size: configuration.queueSize, batchSize: batchSize, source: source)
    try stateModule.loadTensors(tensors, isStrict: true, source: source)
  }
}

/// Throws `SSLError.invalidState` unless the checkpoint's `queue_ptr` (when present) is a
/// multiple of `batchSize` in `0..<size`: where a queue filled `N` rows a step can stand.
func checkQueuePointer(_ tensors: [String: Tensor], size k: Int, batchSize: Int, source: String?) throws {
  guard let pointer = tensors["queue_ptr"]?.scalars.first else { return }
  guard pointer >= 0, pointer < Float(k), pointer.rounded() == pointer, Int(pointer) % batchSize == 0 else {
    throw SSLError(
      .invalidState, key: "queue_ptr",
      "\(source.map { "\($0): " } ?? "")queue pointer \(pointer) is not a multiple of the batch size \(batchSize) in 0..<\(k)"
    )
  }
}

extension MoCoV2 {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try MoCoV2(configuration: configuration, batchSize: build.batchSize, makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// MoCoV2 with `configuration`.
  public static func mocov2(_ configuration: MoCoV2.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(MoCoV2.self, configuration)
  }
}
