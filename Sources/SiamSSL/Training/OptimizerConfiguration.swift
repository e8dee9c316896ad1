import SiamNN

/// A serialisable choice of optimizer with its hyperparameters, and the one place the
/// pretraining loop builds its optimizer.
///
/// One flat record (as solo-learn's `optimizer:` block) rather than an enum with payloads,
/// so that a pipeline file can write `optimizer: {name: sgd, learningRate: 0.05}` and get
/// the defaults for everything else. Fields that the chosen optimizer does not use are
/// ignored (`trustCoefficient` for SGD, `momentum` for AdamW, ...).
///
/// Learning rate: `learningRate` is the *base* rate. With `scalesLearningRateWithBatchSize`
/// (the default) the peak rate is `learningRate · N / 256` for a batch of `N` (SimCLR's
/// linear scaling rule, Chen et al., 2020, appendix B.1: LARS with `0.3 · N / 256`; MoCo
/// and BYOL state their rates the same way). Without it the base rate is used as is.
/// `peakLearningRate(batchSize:)` gives the rate the warmup reaches.
///
/// Weight decay exclusions: with `excludesBiasAndNormalization` (the default) every
/// parameter of rank ≤ 1, that is every bias and every BatchNorm weight and bias, gets no
/// weight decay (SGD, AdamW) and, for LARS, no layer-wise adaptation either (solo-learn's
/// `exclude_bias_n_norm`). Off: every parameter is decayed (and adapted).
public struct OptimizerConfiguration: Codable, Sendable, Hashable {
  /// The update rule (encoded as `name`).
  public var kind: OptimizerKind = .lars
  /// The base learning rate (see the type's documentation for scaling).
  public var learningRate: Float = 0.3
  /// Whether the peak rate is `learningRate · N / 256`.
  public var scalesLearningRateWithBatchSize: Bool = true
  /// SGD and LARS momentum `μ`.
  public var momentum: Float = 0.9
  /// Nesterov momentum (SGD and LARS).
  public var isNesterov: Bool = false
  /// `λ`; coupled for SGD and LARS, decoupled for AdamW.
  public var weightDecay: Float = 1e-6
  /// Whether biases and normalisation parameters (rank ≤ 1) are left out of weight decay
  /// (and of LARS adaptation).
  public var excludesBiasAndNormalization: Bool = true
  /// LARS `η_trust`.
  public var trustCoefficient: Float = 0.001
  /// LARS: clip the adapted rate to the global one (solo-learn's `clip_lr`).
  public var clipsLearningRate: Bool = false
  /// AdamW `β₁`.
  public var beta1: Float = 0.9
  /// AdamW `β₂`.
  public var beta2: Float = 0.999
  /// AdamW `ε`.
  public var epsilon: Float = 1e-8

  public init(
    kind: OptimizerKind = .lars, learningRate: Float = 0.3, scalesLearningRateWithBatchSize: Bool = true,
    momentum: Float = 0.9, isNesterov: Bool = false, weightDecay: Float = 1e-6,
    excludesBiasAndNormalization: Bool = true, trustCoefficient: Float = 0.001, clipsLearningRate: Bool = false,
    beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8
  ) {
    self.kind = kind
    self.learningRate = learningRate
    self.scalesLearningRateWithBatchSize = scalesLearningRateWithBatchSize
    self.momentum = momentum
    self.isNesterov = isNesterov
    self.weightDecay = weightDecay
    self.excludesBiasAndNormalization = excludesBiasAndNormalization
    self.trustCoefficient = trustCoefficient
    self.clipsLearningRate = clipsLearningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  /// Whether `kind`'s preset leaves biases and normalisation parameters out of weight
  /// decay: not for SGD (MoCo v2's code decays every parameter), yes for LARS (SimCLR,
  /// BYOL) and AdamW. The pipeline's `optimizer:` follows the presets.
  public static func excludesBiasAndNormalizationByDefault(_ kind: OptimizerKind) -> Bool {
    kind != .sgd
  }

  /// SGD with momentum (MoCo v2's: base rate 0.03 per 256, momentum 0.9, λ = 1e-4).
  public static func sgd(
    learningRate: Float = 0.03, momentum: Float = 0.9, isNesterov: Bool = false, weightDecay: Float = 1e-4,
    excludesBiasAndNormalization: Bool = excludesBiasAndNormalizationByDefault(.sgd),
    scalesLearningRateWithBatchSize: Bool = true
  ) -> OptimizerConfiguration {
    OptimizerConfiguration(
      kind: .sgd, learningRate: learningRate, scalesLearningRateWithBatchSize: scalesLearningRateWithBatchSize,
      momentum: momentum, isNesterov: isNesterov, weightDecay: weightDecay,
      excludesBiasAndNormalization: excludesBiasAndNormalization)
  }

  /// LARS (SimCLR's: base rate 0.3 per 256, momentum 0.9, λ = 1e-6, η_trust = 0.001).
  public static func lars(
    learningRate: Float = 0.3, momentum: Float = 0.9, weightDecay: Float = 1e-6, trustCoefficient: Float = 0.001,
    clipsLearningRate: Bool = false,
    excludesBiasAndNormalization: Bool = excludesBiasAndNormalizationByDefault(.lars),
    scalesLearningRateWithBatchSize: Bool = true
  ) -> OptimizerConfiguration {
    OptimizerConfiguration(
      kind: .lars, learningRate: learningRate, scalesLearningRateWithBatchSize: scalesLearningRateWithBatchSize,
      momentum: momentum, weightDecay: weightDecay, excludesBiasAndNormalization: excludesBiasAndNormalization,
      trustCoefficient: trustCoefficient, clipsLearningRate: clipsLearningRate)
  }

  /// AdamW (MoCo v3's ViT setting scaled down: base rate 1.5e-4 per 256, λ = 0.1).
  public static func adamw(
    learningRate: Float = 1.5e-4, beta1: Float = 0.9, beta2: Float = 0.999, weightDecay: Float = 0.1,
    excludesBiasAndNormalization: Bool = excludesBiasAndNormalizationByDefault(.adamw),
    scalesLearningRateWithBatchSize: Bool = true
  ) -> OptimizerConfiguration {
    OptimizerConfiguration(
      kind: .adamw, learningRate: learningRate, scalesLearningRateWithBatchSize: scalesLearningRateWithBatchSize,
      weightDecay: weightDecay, excludesBiasAndNormalization: excludesBiasAndNormalization, beta1: beta1, beta2: beta2)
  }

  enum CodingKeys: String, CodingKey {
    case kind = "name"
    case learningRate, scalesLearningRateWithBatchSize, momentum, isNesterov, weightDecay
    case excludesBiasAndNormalization, trustCoefficient, clipsLearningRate, beta1, beta2, epsilon
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = OptimizerConfiguration()
    self.init(
      kind: try c.decode(.kind, default: d.kind),
      learningRate: try c.decode(.learningRate, default: d.learningRate),
      scalesLearningRateWithBatchSize: try c.decode(
        .scalesLearningRateWithBatchSize, default: d.scalesLearningRateWithBatchSize),
      momentum: try c.decode(.momentum, default: d.momentum),
      isNesterov: try c.decode(.isNesterov, default: d.isNesterov),
      weightDecay: try c.decode(.weightDecay, default: d.weightDecay),
      excludesBiasAndNormalization: try c.decode(
        .excludesBiasAndNormalization, default: d.excludesBiasAndNormalization),
      trustCoefficient: try c.decode(.trustCoefficient, default: d.trustCoefficient),
      clipsLearningRate: try c.decode(.clipsLearningRate, default: d.clipsLearningRate),
      beta1: try c.decode(.beta1, default: d.beta1),
      beta2: try c.decode(.beta2, default: d.beta2),
      epsilon: try c.decode(.epsilon, default: d.epsilon))
  }

  /// The rate the warmup reaches for batches of `batchSize`: `learningRate · N / 256`
  /// when scaling, else `learningRate`.
  public func peakLearningRate(batchSize: Int) -> Float {
    scalesLearningRateWithBatchSize ? Float(Double(learningRate) * Double(batchSize) / 256) : learningRate
  }

  /// The optimizer these values describe, with `learningRate` set to the peak rate (the
  /// loop overrides it from the schedule before every step).
  public func makeOptimizer(batchSize: Int) -> any Optimizer {
    let rate = peakLearningRate(batchSize: batchSize)
    let exclusions: ParameterFilter = excludesBiasAndNormalization ? .biasAndNormalization : .none
    switch kind {
    case .sgd:
      return SGD(
        learningRate: rate, momentum: momentum, weightDecay: weightDecay, isNesterov: isNesterov,
        weightDecayExclusions: exclusions)
    case .lars:
      return LARS(
        learningRate: rate, momentum: momentum, weightDecay: weightDecay, isNesterov: isNesterov,
        trustCoefficient: trustCoefficient, clipsLearningRate: clipsLearningRate, exclusions: exclusions)
    case .adamw:
      return AdamW(
        learningRate: rate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
        weightDecayExclusions: exclusions)
    }
  }

  /// Throws `SSLError.invalidConfiguration` (key `optimizer.<field>`) for out-of-range values.
  public func validate() throws {
    try require(
      learningRate > 0 && learningRate.isFinite, "optimizer.learningRate", "must be positive, got \(learningRate)")
    try require(weightDecay >= 0, "optimizer.weightDecay", "must be non-negative, got \(weightDecay)")
    try require(momentum >= 0 && momentum < 1, "optimizer.momentum", "must be in [0, 1), got \(momentum)")
    try require(
      !isNesterov || momentum > 0 || kind == .adamw, "optimizer.isNesterov",
      "Nesterov momentum needs a positive momentum")
    try require(trustCoefficient > 0, "optimizer.trustCoefficient", "must be positive, got \(trustCoefficient)")
    try require(beta1 >= 0 && beta1 < 1, "optimizer.beta1", "must be in [0, 1), got \(beta1)")
    try require(beta2 >= 0 && beta2 < 1, "optimizer.beta2", "must be in [0, 1), got \(beta2)")
    try require(epsilon > 0, "optimizer.epsilon", "must be positive, got \(epsilon)")
  }
}
