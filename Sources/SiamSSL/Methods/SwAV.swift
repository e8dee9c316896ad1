import Foundation
import SiamNN
import SiamTensor

/// SwAV (Caron et al., 2020): online clustering. Each view's normalised projection is
/// scored against `K` prototypes; Sinkhorn–Knopp turns the scores of each global view
/// into equal-partition codes, which every other view must predict (swapped prediction,
/// `swavLoss`). Multi-crop local views are predicted from but get no codes.
///
/// The prototypes are scored by cosine (`PrototypeLayer`), which gives the scores of the
/// paper's normalise-after-every-step prototypes. They get no update during the first
/// `freezePrototypesEpochs` epochs (their gradient is dropped). With a small batch, a
/// queue of the global views' earlier embeddings (`queueSize > 0`, filled from epoch
/// `queueStartEpoch`) joins the batch in Sinkhorn once it is full (the paper's
/// `use_the_queue`), so that the equal partition spreads over more samples. Views of one
/// size go through the networks as one batch.
///
/// Modules: `encoder`, `projector`, `prototypes` (trained); buffers `queue` `[2, L, D]`
/// and `queue_ptr` `[]` when `queueSize > 0`.
/// Metrics: `loss`; `code_entropy` (mean entropy of a sample's code, nats: `log K` when
/// codes say nothing, 0 when they are one-hot); `prediction_entropy` (entropy of the
/// batch's mean predicted distribution for the first view: low when every sample goes to
/// the same few prototypes, a collapse); `queue_in_use` (1 once the queue joins
/// Sinkhorn); `embedding_std`; `temperature`.
public final class SwAV: ConfiguredMethod {
  /// SwAV's hyperparameters (the paper's ResNet-50 settings): projector 2048 → 128 with
  /// BatchNorm, 3,000 prototypes, τ 0.1, ε 0.05, 3 Sinkhorn iterations, prototypes frozen
  /// for the first epoch, no queue.
  public struct Configuration: Codable, Sendable, Hashable {
    public var projectorHiddenWidths: [Int] = [2048]
    public var projectorOutputFeatures: Int = 128
    /// `K`.
    public var prototypes: Int = 3000
    /// τ of the predictions' softmax.
    public var temperature: Float = 0.1
    /// ε of Sinkhorn–Knopp.
    public var epsilon: Float = 0.05
    public var sinkhornIterations: Int = 3
    /// Epochs during which the prototypes are not updated.
    public var freezePrototypesEpochs: Int = 1
    /// `L`, earlier embeddings per global view kept for Sinkhorn (0: no queue); a multiple
    /// of the batch size.
    public var queueSize: Int = 0
    /// The epoch from which the queue is filled.
    public var queueStartEpoch: Int = 15

    public init(
      projectorHiddenWidths: [Int] = [2048], projectorOutputFeatures: Int = 128, prototypes: Int = 3000,
      temperature: Float = 0.1, epsilon: Float = 0.05, sinkhornIterations: Int = 3, freezePrototypesEpochs: Int = 1,
      queueSize: Int = 0, queueStartEpoch: Int = 15
    ) {
      self.projectorHiddenWidths = projectorHiddenWidths
      self.projectorOutputFeatures = projectorOutputFeatures
      self.prototypes = prototypes
      self.temperature = temperature
      self.epsilon = epsilon
      self.sinkhornIterations = sinkhornIterations
      self.freezePrototypesEpochs = freezePrototypesEpochs
      self.queueSize = queueSize
      self.queueStartEpoch = queueStartEpoch
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate(batchSize: Int) throws {
      try requirePositiveWidths(projectorHiddenWidths + [projectorOutputFeatures], "projectorHiddenWidths")
      try require(prototypes >= 2, "prototypes", "must be at least 2, got \(prototypes)")
      try require(temperature > 0, "temperature", "must be positive, got \(temperature)")
      // exp(1/ε) must stay finite in Double (cosine scores are at most 1).
      try require(epsilon >= 0.002, "epsilon", "must be at least 0.002, got \(epsilon)")
      try require(
        sinkhornIterations >= 1 && sinkhornIterations <= 100, "sinkhornIterations",
        "must be in 1...100, got \(sinkhornIterations)")
      try require(
        freezePrototypesEpochs >= 0, "freezePrototypesEpochs", "must not be negative, got \(freezePrototypesEpochs)")
      try require(queueStartEpoch >= 0, "queueStartEpoch", "must not be negative, got \(queueStartEpoch)")
      try require(
        queueSize >= 0 && queueSize % Swift.max(batchSize, 1) == 0, "queueSize",
        "the queue size \(queueSize) must be 0 or a multiple of the batch size \(batchSize)")
    }
  }

  public static let methodName = "swav"
  public static let takesLocalViews = true
  public let configuration: Configuration
  public let localViewCount: Int
  public let batchSize: Int
  public let encoder: any FeatureEncoder
  public let projector: MLPHead
  public let prototypes: PrototypeLayer
  public let trainableModule: Module
  public let stateModule: Module
  /// Where the loop stands (set by `prepareStep`; epoch 0 until then).
  public private(set) var position: StepPosition?

  public var viewCount: Int { 2 + localViewCount }

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated).
  ///   - batchSize: `N`, fixed for the run (the queue moves by `N` rows a step).
  ///   - localViewCount: Local views per sample after the 2 global ones (multi-crop).
  ///   - makeEncoder: Builds the backbone from a key.
  ///   - key: The root key (`encoder`, `projector`, `prototypes` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(
    configuration: Configuration, batchSize: Int, localViewCount: Int = 0,
    makeEncoder: (RandomKey) -> any FeatureEncoder, key: RandomKey
  ) throws {
    try configuration.validate(batchSize: batchSize)
    try require(localViewCount >= 0, "localViews", "must not be negative, got \(localViewCount)")
    self.configuration = configuration
    self.batchSize = batchSize
    self.localViewCount = localViewCount
    let online = ProjectedEncoder(
      makeEncoder: makeEncoder, hiddenWidths: configuration.projectorHiddenWidths,
      outputFeatures: configuration.projectorOutputFeatures, key: key)
    (encoder, projector) = (online.encoder, online.projector)
    prototypes = PrototypeLayer(
      configuration.projectorOutputFeatures, prototypes: configuration.prototypes, key: key.folded(in: "prototypes"))
    let modules = online.modules() + [("prototypes", prototypes)]
    trainableModule = ModuleDictionary(modules)
    let state = ModuleDictionary(modules)
    if configuration.queueSize > 0 {
      let empty = Tensor(zeros: [2, configuration.queueSize, configuration.projectorOutputFeatures])
      FeatureQueue(features: empty, pointer: 0).addBuffers(to: state)
    }
    stateModule = state
  }

  /// The queue of earlier global-view embeddings, nil without one.
  public var queue: FeatureQueue? {
    get {
      configuration.queueSize > 0 ? FeatureQueue(buffersOf: stateModule) : nil
    }
    set { newValue?.store(in: stateModule) }
  }

  public func prepareStep(_ position: StepPosition) {
    self.position = position
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkMultiCropViews(views, globalCount: 2)
    precondition(
      views[0].shape[0] == batchSize, "swav: batch of \(views[0].shape[0]) for a method built for \(batchSize)")
    let epoch = position?.epoch ?? 0
    let c = configuration
    var queue = self.queue
    // The paper uses the queue once it is full: its last row has been written.
    let queueInUse =
      queue.map { q in q.keys(slot: 0).slice(alongAxis: 0, (q.size - 1)..<q.size).scalars.contains { $0 != 0 } }
      ?? false
    var embeddings: [Tensor] = []
    var codes: [Tensor] = []
    var firstScores = Tensor(0)
    let (loss, allGradients) = valueAndGradient(of: trainableModule) { _ in
      let z = forwardByResolution(views, globalCount: 2) { l2Normalized(projector(encoder($0)), alongAxis: 1) }
      let scores = z.map { prototypes($0) }
      embeddings = z.prefix(2).map { $0.detached() }
      firstScores = scores[0].detached()
      codes = (0..<2).map { i in
        guard queueInUse, let queue else {
          return sinkhornKnopp(scores[i], epsilon: c.epsilon, iterations: c.sinkhornIterations)
        }
        let queued = prototypes(queue.keys(slot: i)).detached()
        let all = sinkhornKnopp(
          concatenated([queued, scores[i].detached()], alongAxis: 0),
          epsilon: c.epsilon, iterations: c.sinkhornIterations)
        return all.slice(alongAxis: 0, queued.shape[0]..<all.shape[0])
      }
      return swavLoss(scores: scores, codes: codes, temperature: c.temperature)
    }
    let frozen = epoch < c.freezePrototypesEpochs
    let gradients = frozen ? allGradients.filter { !$0.key.hasPrefix("prototypes.") } : allGradients
    if epoch >= c.queueStartEpoch, var q = queue {
      q.enqueue(embeddings)
      queue = q
      self.queue = queue
    }
    let predicted = softmax(firstScores / c.temperature, alongAxis: 1).mean(alongAxis: 0)
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "code_entropy": codes.map { rowEntropy($0) }.reduce(0, +) / 2,
      "prediction_entropy": rowEntropy(predicted.reshaped(to: [1, c.prototypes])),
      "queue_in_use": queueInUse ? 1 : 0,
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(embeddings[0]),
      "temperature": c.temperature,
    ]
    return (loss.scalar, gradients, metrics)
  }

  public func loadState(_ tensors: [String: Tensor], source: String?) throws {
    try checkQueuePointer(tensors, size: configuration.queueSize, batchSize: batchSize, source: source)
    try stateModule.loadTensors(tensors, isStrict: true, source: source)
  }
}

/// The mean entropy (nats) of the rows of `p` `[N, K]`, each a distribution (0·log 0 = 0).
func rowEntropy(_ p: Tensor) -> Float {
  let k = p.shape[1]
  let n = p.shape[0]
  var total = 0.0
  p.withUnsafeBufferPointer { values in
    for index in 0..<(n * k) where values[index] > 0 {
      total -= Double(values[index]) * Foundation.log(Double(values[index]))
    }
  }
  return Float(total / Double(n))
}

extension SwAV {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try SwAV(
      configuration: configuration, batchSize: build.batchSize, localViewCount: build.localViewCount,
      makeEncoder: build.makeEncoder, key: build.key)
  }
}

extension MethodConfiguration {
  /// SwAV with `configuration`.
  public static func swav(_ configuration: SwAV.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(SwAV.self, configuration)
  }
}
