import SiamNN
import SiamTensor

/// DINO (Caron et al., 2021): self-distillation without labels. A student (encoder and
/// `DINOHead`) learns to match the output distribution of a teacher, an EMA of itself,
/// across views; the teacher sees only the two global views, the student every view,
/// multi-crop local views included.
///
/// Per step (`dinoLoss`): the teacher's logits of each global view are centred (minus
/// `center`, an EMA of the teacher's batch means) and sharpened (`softmax` at the teacher
/// temperature τₜ); the student's log-softmax at τₛ of every other view is scored against
/// them by cross entropy, averaged over the `2(V − 1)` pairs. After the loss the centre
/// moves towards this step's teacher mean (`centerMomentum`), and after the optimizer
/// step the teacher towards the student (momentum `baseMomentum` → `finalMomentum` on a
/// cosine). τₜ warms up linearly from `warmupTeacherTemperature` to `teacherTemperature`
/// over `warmupTeacherTemperatureEpochs` epochs (the paper's `np.linspace` per epoch). The
/// last layer of the head gets no update during the first `freezeLastLayerEpochs` epochs
/// (its gradient is dropped, so neither the update nor the weight decay touch it), which
/// the paper uses to stabilise the start. Views of one size go through the networks as
/// one batch (BatchNorm statistics over both global views, as in the paper's code).
///
/// Modules: `encoder`, `head` (trained); `momentum_encoder`, `momentum_head`; buffer
/// `center` `[1, K]`.
/// Metrics: `loss`; `teacher_entropy` (mean entropy of the teacher's targets, in nats:
/// `log K` when the teacher collapses to uniform, 0 when it collapses onto one
/// prototype); `kl_divergence` (`loss − teacher_entropy`, the mean KL of the student from
/// the teacher: 0 at either collapse); `embedding_std` (of the student's first global
/// view's logits); `teacher_temperature`; `afterOptimizerStep` reports `momentum`.
public final class DINO: ConfiguredMethod {
  /// DINO's hyperparameters: the paper's defaults (`main_dino.py`), a ReLU head.
  public struct Configuration: Codable, Sendable, Hashable {
    /// Hidden widths of the head's MLP.
    public var headHiddenWidths: [Int] = [2048, 2048]
    /// `B`, the MLP's output (normalised before the prototypes).
    public var bottleneckFeatures: Int = 256
    /// `K`, the prototypes of the last layer.
    public var prototypes: Int = 65_536
    /// BatchNorm1d after each hidden Linear of the head.
    public var headHasBatchNorm: Bool = false
    /// τₛ.
    public var studentTemperature: Float = 0.1
    /// τₜ after the warmup.
    public var teacherTemperature: Float = 0.04
    /// τₜ at epoch 0.
    public var warmupTeacherTemperature: Float = 0.04
    /// Epochs of the linear τₜ warmup (0: none).
    public var warmupTeacherTemperatureEpochs: Int = 0
    /// `m` of the centre's EMA.
    public var centerMomentum: Float = 0.9
    /// Teacher momentum at step 0.
    public var baseMomentum: Float = 0.996
    /// Teacher momentum at the last step (cosine schedule).
    public var finalMomentum: Float = 1
    /// Epochs during which the head's last layer is not updated.
    public var freezeLastLayerEpochs: Int = 1

    public init(
      headHiddenWidths: [Int] = [2048, 2048], bottleneckFeatures: Int = 256, prototypes: Int = 65_536,
      headHasBatchNorm: Bool = false, studentTemperature: Float = 0.1, teacherTemperature: Float = 0.04,
      warmupTeacherTemperature: Float = 0.04, warmupTeacherTemperatureEpochs: Int = 0, centerMomentum: Float = 0.9,
      baseMomentum: Float = 0.996, finalMomentum: Float = 1, freezeLastLayerEpochs: Int = 1
    ) {
      self.headHiddenWidths = headHiddenWidths
      self.bottleneckFeatures = bottleneckFeatures
      self.prototypes = prototypes
      self.headHasBatchNorm = headHasBatchNorm
      self.studentTemperature = studentTemperature
      self.teacherTemperature = teacherTemperature
      self.warmupTeacherTemperature = warmupTeacherTemperature
      self.warmupTeacherTemperatureEpochs = warmupTeacherTemperatureEpochs
      self.centerMomentum = centerMomentum
      self.baseMomentum = baseMomentum
      self.finalMomentum = finalMomentum
      self.freezeLastLayerEpochs = freezeLastLayerEpochs
    }

    public var momentumSchedule: MomentumSchedule { MomentumSchedule(base: baseMomentum, final: finalMomentum) }

    /// τₜ during epoch `epoch` (from 0): `linspace(warmup, final, W)[epoch]`, then
    /// `teacherTemperature`.
    public func teacherTemperature(epoch: Int) -> Float {
      let w = warmupTeacherTemperatureEpochs
      guard epoch < w else { return teacherTemperature }
      if w == 1 { return warmupTeacherTemperature }
      let fraction = Double(epoch) / Double(w - 1)
      return Float(
        Double(warmupTeacherTemperature) + (Double(teacherTemperature) - Double(warmupTeacherTemperature)) * fraction)
    }

    /// Throws `SSLError.invalidConfiguration` for out-of-range values.
    public func validate() throws {
      try requirePositiveWidths(headHiddenWidths + [bottleneckFeatures], "headHiddenWidths")
      try require(prototypes >= 2, "prototypes", "must be at least 2, got \(prototypes)")
      try require(studentTemperature > 0, "studentTemperature", "must be positive, got \(studentTemperature)")
      try require(teacherTemperature > 0, "teacherTemperature", "must be positive, got \(teacherTemperature)")
      try require(
        warmupTeacherTemperature > 0, "warmupTeacherTemperature", "must be positive, got \(warmupTeacherTemperature)")
      try require(
        warmupTeacherTemperatureEpochs >= 0, "warmupTeacherTemperatureEpochs",
        "must not be negative, got \(warmupTeacherTemperatureEpochs)")
      try require(
        centerMomentum >= 0 && centerMomentum <= 1, "centerMomentum", "must be in [0, 1], got \(centerMomentum)")
      try require(
        freezeLastLayerEpochs >= 0, "freezeLastLayerEpochs", "must not be negative, got \(freezeLastLayerEpochs)")
      try momentumSchedule.validate(key: "baseMomentum")
    }
  }

  public static let methodName = "dino"
  public static let takesLocalViews = true
  public let configuration: Configuration
  /// Local (multi-crop) views after the 2 global ones.
  public let localViewCount: Int
  public let encoder: any FeatureEncoder
  public let head: DINOHead
  public let momentumEncoder: any FeatureEncoder
  public let momentumHead: DINOHead
  public let trainableModule: Module
  public let stateModule: Module
  /// Where the loop stands (set by `prepareStep`; epoch 0 until then).
  public private(set) var position: StepPosition?

  public var viewCount: Int { 2 + localViewCount }

  /// - Parameters:
  ///   - configuration: The hyperparameters (validated).
  ///   - localViewCount: Local views per sample after the 2 global ones (multi-crop).
  ///   - makeEncoder: Builds the backbone from a key; called twice (the teacher then takes
  ///     the student's weights).
  ///   - key: The root key (`encoder`, `head` are folded in).
  /// - Throws: `SSLError.invalidConfiguration`.
  public init(
    configuration: Configuration, localViewCount: Int = 0, makeEncoder: (RandomKey) -> any FeatureEncoder,
    key: RandomKey
  ) throws {
    try configuration.validate()
    try require(localViewCount >= 0, "localViews", "must not be negative, got \(localViewCount)")
    self.configuration = configuration
    self.localViewCount = localViewCount
    func makeHead(inputFeatures: Int) -> DINOHead {
      DINOHead(
        inputFeatures: inputFeatures, hiddenWidths: configuration.headHiddenWidths,
        bottleneckFeatures: configuration.bottleneckFeatures, prototypes: configuration.prototypes,
        hasBatchNorm: configuration.headHasBatchNorm, key: key.folded(in: "head"))
    }
    encoder = makeEncoder(MethodKey.encoder(key))
    head = makeHead(inputFeatures: encoder.outputFeatures)
    momentumEncoder = makeEncoder(MethodKey.encoder(key))
    momentumHead = makeHead(inputFeatures: encoder.outputFeatures)
    copyTensors(from: encoder, to: momentumEncoder)
    copyTensors(from: head, to: momentumHead)
    let online: [(name: String, module: Module)] = [("encoder", encoder), ("head", head)]
    trainableModule = ModuleDictionary(online)
    let state = ModuleDictionary(online + [("momentum_encoder", momentumEncoder), ("momentum_head", momentumHead)])
    state.addBuffer("center", Tensor(zeros: [1, configuration.prototypes]))
    stateModule = state
  }

  /// The teacher's centre, `[1, K]`.
  public var center: Tensor {
    get { stateModule.localTensor("center") }
    set { stateModule.setLocalTensor("center", newValue) }
  }

  public func prepareStep(_ position: StepPosition) {
    self.position = position
  }

  public func computeGradients(views: [Tensor]) -> MethodStep {
    checkMultiCropViews(views, globalCount: 2)
    let epoch = position?.epoch ?? 0
    let tauS = configuration.studentTemperature
    let tauT = configuration.teacherTemperature(epoch: epoch)
    let teacher = forwardByResolution(Array(views.prefix(2)), globalCount: 2) { momentumHead(momentumEncoder($0)) }
    let center = self.center
    var firstStudent = Tensor(0)
    let (loss, allGradients) = valueAndGradient(of: trainableModule) { _ in
      let student = forwardByResolution(views, globalCount: 2) { head(encoder($0)) }
      firstStudent = student[0].detached()
      return dinoLoss(
        student: student, teacher: teacher, center: center, studentTemperature: tauS, teacherTemperature: tauT)
    }
    // The paper's `cancel_gradients_last_layer`: no gradient, so no update at all.
    let frozen = epoch < configuration.freezeLastLayerEpochs
    let gradients = frozen ? allGradients.filter { !$0.key.hasPrefix("head.last_layer.") } : allGradients
    let entropy = Self.teacherEntropy(teacher, center: center, temperature: tauT)
    self.center = dinoUpdatedCenter(center, teacher: teacher, momentum: configuration.centerMomentum)
    let metrics: [String: Float] = [
      "loss": loss.scalar,
      "teacher_entropy": entropy,
      "kl_divergence": loss.scalar - entropy,
      "embedding_std": EmbeddingStatistics.normalizedStandardDeviation(firstStudent),
      "teacher_temperature": tauT,
    ]
    return (loss.scalar, gradients, metrics)
  }

  @discardableResult
  public func afterOptimizerStep(step: Int, totalSteps: Int) -> [String: Float] {
    momentumStep(
      [(momentumEncoder, encoder), (momentumHead, head)], schedule: configuration.momentumSchedule, step: step,
      totalSteps: totalSteps)
  }

  /// The mean entropy (nats) of the teacher's targets `softmax((t − c)/τₜ)` over the rows
  /// of both global views: `log K` for a uniform teacher, 0 for a one-hot one.
  public static func teacherEntropy(_ teacher: [Tensor], center: Tensor, temperature: Float) -> Float {
    let k = teacher[0].shape[1]
    let c = center.reshaped(to: [1, k])
    let entropies = teacher.map { t -> Float in
      let logP = logSoftmax((t.detached() - c) / temperature, alongAxis: 1)
      return -(exp(logP) * logP).sum(alongAxis: 1).mean().scalar
    }
    return entropies.reduce(0, +) / Float(entropies.count)
  }
}

/// The `parts` equal blocks of rows of `x` `[parts·N, ...]`, in order.
func splitRows(_ x: Tensor, into parts: Int) -> [Tensor] {
  let n = x.shape[0] / parts
  precondition(n * parts == x.shape[0], "splitRows: \(x.shape[0]) rows into \(parts) parts")
  return (0..<parts).map { x.slice(alongAxis: 0, $0 * n..<($0 + 1) * n) }
}

extension DINO {
  public static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method {
    try DINO(
      configuration: configuration, localViewCount: build.localViewCount, makeEncoder: build.makeEncoder, key: build.key
    )
  }
}

extension MethodConfiguration {
  /// DINO with `configuration`.
  public static func dino(_ configuration: DINO.Configuration = .init()) -> MethodConfiguration {
    MethodConfiguration(DINO.self, configuration)
  }
}
