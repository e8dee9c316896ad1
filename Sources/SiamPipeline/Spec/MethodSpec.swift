import SiamSSL

/// A pretrain stage's `method:`, mapped onto `SiamSSL.MethodConfiguration`.
///
/// YAML keys are the `Configuration` properties in snake_case, with these exceptions:
///
/// | YAML key | Configuration property | methods |
/// | --- | --- | --- |
/// | `type` | the method (`MethodSpec.methods`) | all ten |
/// | `projector: [h₁, …, out]` | `projectorHiddenWidths: [h₁, …]`, `projectorOutputFeatures: out` | all but dino |
/// | `head: [h₁, …, bottleneck]` | `headHiddenWidths`, `bottleneckFeatures` | dino |
/// | `projector_batch_norm`, `projector_last_batch_norm`, `head_batch_norm` | `projectorHasBatchNorm`, `projectorHasLastBatchNorm`, `headHasBatchNorm` | simclr, mocov2; mocov3; dino |
/// | `predictor_hidden` | `predictorHiddenWidths` | byol, simsiam, mocov3, nnclr |
/// | `momentum`, `final_momentum` | `momentum`/`baseMomentum`, `finalMomentum` | mocov2, byol, mocov3, dino |
/// | `symmetric` | `isSymmetric` | mocov2, byol |
///
/// Every default is read from the method's `Configuration()` (the papers' values), so a
/// default lives in one place.
public enum MethodSpec {
  private typealias Field = ParameterShape.Field

  private static func projector(_ widths: [Int]) -> Field {
    .init(
      "projector", .list(.integer(.within(1, 65_536)), minCount: 1, maxCount: 16),
      .defaultValue(.array(widths.map { .number($0) })),
      "Widths of the projector's Linear layers: hidden widths, then the output width.")
  }

  private static func predictor(_ widths: [Int]) -> Field {
    .init(
      "predictor_hidden", .list(.integer(.within(1, 65_536)), minCount: 1, maxCount: 16),
      .defaultValue(.array(widths.map { .number($0) })),
      "Hidden widths of the predictor (its output width is the projector's).")
  }

  private static func temperature(_ value: Float) -> Field {
    .init("temperature", .number(.positive), number(value), "Softmax temperature τ of the contrastive loss.")
  }

  private static func batchNorm(_ value: Bool) -> Field {
    .init(
      "projector_batch_norm", .boolean, .defaultValue(.bool(value)),
      "BatchNorm after each hidden Linear of the projector.")
  }

  private static let momentumCheck: @Sendable ([String: CanonicalJSON]) -> [ParameterShape.Problem] = { v in
    guard let base = v["momentum"]?.doubleValue, let final = v["final_momentum"]?.doubleValue, base > final else {
      return []
    }
    return [
      .init(
        key: "final_momentum",
        "expected final_momentum ≥ momentum (\(CanonicalJSON.format(base))), found \(CanonicalJSON.format(final))")
    ]
  }

  private static let unitMomentum = ParameterShape.number(.unit)

  /// A default taken from a configuration's `Float`, written as its shortest decimal
  /// (`0.04`, not the `Double` nearest to the `Float`).
  private static func number(_ value: Float) -> ParameterShape.Requirement {
    .defaultValue(.number(Double("\(value)")!))
  }

  private static func integers(_ values: [Int]) -> ParameterShape.Requirement {
    .defaultValue(.array(values.map { .number(Double($0)) }))
  }

  private static func momentum(base: Float, final: Float, what: String) -> [Field] {
    [
      .init("momentum", unitMomentum, number(base), "\(what) momentum at step 0."),
      .init("final_momentum", unitMomentum, number(final), "\(what) momentum at the last step (cosine schedule)."),
    ]
  }

  private static let mocov3: ParameterShape.Variant = {
    let d = MoCoV3.Configuration()
    return .init(
      "mocov3",
      .init(
        [
          temperature(d.temperature), projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
          .init(
            "projector_last_batch_norm", .boolean, .defaultValue(.bool(d.projectorHasLastBatchNorm)),
            "A non-affine BatchNorm after the projector's output Linear (the paper's last_bn)."),
          predictor(d.predictorHiddenWidths),
        ] + momentum(base: d.baseMomentum, final: d.finalMomentum, what: "Key-encoder"), check: momentumCheck),
      "MoCo v3: symmetric InfoNCE over in-batch keys of a momentum encoder, with a predictor.")
  }()

  private static let nnclr: ParameterShape.Variant = {
    let d = NNCLR.Configuration()
    return .init(
      "nnclr",
      .init([
        temperature(d.temperature), projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
        predictor(d.predictorHiddenWidths),
        .init(
          "queue_size", .integer(.within(1, 10_000_000)), .defaultValue(.number(Double(d.queueSize))),
          "Q, the support set of earlier projections the nearest neighbours come from; a multiple of batch_size."),
      ]), "NNCLR: the nearest neighbour in a support set of projections is the positive.")
  }()

  private static let swav: ParameterShape.Variant = {
    let d = SwAV.Configuration()
    let count = ParameterShape.integer(.within(0, 10_000))
    return .init(
      "swav",
      .init([
        projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
        .init(
          "prototypes", .integer(.within(2, 1_048_576)), .defaultValue(.number(Double(d.prototypes))),
          "K, the prototypes."),
        temperature(d.temperature),
        .init(
          "epsilon", .number(.within(0.002, 10)), number(d.epsilon),
          "ε of Sinkhorn–Knopp (the codes' entropy regulariser)."),
        .init(
          "sinkhorn_iterations", .integer(.within(1, 100)), .defaultValue(.number(Double(d.sinkhornIterations))),
          "Sinkhorn–Knopp iterations."),
        .init(
          "freeze_prototypes_epochs", count, .defaultValue(.number(Double(d.freezePrototypesEpochs))),
          "Epochs during which the prototypes are not updated."),
        .init(
          "queue_size", .integer(.within(0, 10_000_000)), .defaultValue(.number(Double(d.queueSize))),
          "Earlier embeddings per global view joining Sinkhorn once the queue is full; 0: none; a multiple of batch_size."
        ),
        .init(
          "queue_start_epoch", count, .defaultValue(.number(Double(d.queueStartEpoch))),
          "The epoch from which the queue fills."),
      ]), "SwAV: swapped prediction of Sinkhorn–Knopp codes over prototypes; takes local_views (multi-crop).")
  }()

  private static let dino: ParameterShape.Variant = {
    let d = DINO.Configuration()
    let positive = ParameterShape.number(.positive)
    return .init(
      "dino",
      .init(
        [
          .init(
            "head", .list(.integer(.within(1, 65_536)), minCount: 1, maxCount: 16),
            integers(d.headHiddenWidths + [d.bottleneckFeatures]),
            "Widths of the head's MLP: hidden widths, then the bottleneck (L2-normalised before the prototypes)."),
          .init(
            "prototypes", .integer(.within(2, 1_048_576)), .defaultValue(.number(Double(d.prototypes))),
            "K, the prototypes of the head's last layer (its output width)."),
          .init(
            "head_batch_norm", .boolean, .defaultValue(.bool(d.headHasBatchNorm)),
            "BatchNorm after each hidden Linear of the head."),
          .init("student_temperature", positive, number(d.studentTemperature), "τₛ of the student's softmax."),
          .init(
            "teacher_temperature", positive, number(d.teacherTemperature),
            "τₜ of the teacher's softmax after the warmup."),
          .init("warmup_teacher_temperature", positive, number(d.warmupTeacherTemperature), "τₜ at epoch 0."),
          .init(
            "warmup_teacher_temperature_epochs", .integer(.within(0, 10_000)),
            .defaultValue(.number(Double(d.warmupTeacherTemperatureEpochs))), "Epochs of the linear τₜ warmup."),
          .init(
            "center_momentum", unitMomentum, number(d.centerMomentum),
            "Momentum of the EMA of the teacher's mean output."),
          .init(
            "freeze_last_layer_epochs", .integer(.within(0, 10_000)),
            .defaultValue(.number(Double(d.freezeLastLayerEpochs))),
            "Epochs during which the head's last layer is not updated."),
        ] + momentum(base: d.baseMomentum, final: d.finalMomentum, what: "Teacher"), check: momentumCheck),
      "DINO: self-distillation onto an EMA teacher with centring and sharpening; takes local_views (multi-crop).")
  }()

  /// The shape of `method:`.
  private static let simclr: ParameterShape.Variant = {
    let d = SimCLR.Configuration()
    return .init(
      "simclr",
      .init([
        temperature(d.temperature), projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
        batchNorm(d.projectorHasBatchNorm),
      ]), "SimCLR: NT-Xent over two views (Chen et al. 2020).")
  }()

  private static let mocov2: ParameterShape.Variant = {
    let d = MoCoV2.Configuration()
    return .init(
      "mocov2",
      .init(
        [
          temperature(d.temperature), projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
          batchNorm(d.projectorHasBatchNorm),
          .init(
            "queue_size", .integer(.within(1, 10_000_000)), .defaultValue(.number(Double(d.queueSize))),
            "K, negatives in the queue; a multiple of batch_size."),
          .init("momentum", unitMomentum, number(d.momentum), "Key-encoder momentum m at step 0."),
          .init(
            "final_momentum", .nullable(unitMomentum), d.finalMomentum.map(number) ?? .optional,
            "m at the last step (cosine); null keeps it constant."),
          .init("symmetric", .boolean, .defaultValue(.bool(d.isSymmetric)), "Symmetric loss over both views."),
        ], check: momentumCheck), "MoCo v2: InfoNCE against a queue of momentum-encoded keys.")
  }()

  private static let byol: ParameterShape.Variant = {
    let d = BYOL.Configuration()
    return .init(
      "byol",
      .init(
        [
          projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]), predictor(d.predictorHiddenWidths),
        ] + momentum(base: d.baseMomentum, final: d.finalMomentum, what: "Target")
          + [
            .init(
              "symmetric", .boolean, .defaultValue(.bool(d.isSymmetric)),
              "Both directions (the paper); false: view 1 → view 2 only, half the cost.")
          ], check: momentumCheck), "BYOL: predict a momentum target's projection.")
  }()

  private static let simsiam: ParameterShape.Variant = {
    let d = SimSiam.Configuration()
    return .init(
      "simsiam",
      .init([projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]), predictor(d.predictorHiddenWidths)]),
      "SimSiam: stop-gradient instead of a momentum target.")
  }()

  private static let barlowTwins: ParameterShape.Variant = {
    let d = BarlowTwins.Configuration()
    return .init(
      "barlow_twins",
      .init([
        .init("lambda", .number(.nonNegative), number(d.lambda), "Weight of the off-diagonal terms."),
        projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
      ]), "Barlow Twins: cross-correlation towards the identity.")
  }()

  private static let vicreg: ParameterShape.Variant = {
    let d = VICReg.Configuration()
    return .init(
      "vicreg",
      .init([
        .init("invariance_weight", .number(.nonNegative), number(d.invarianceWeight), "Weight of the invariance term."),
        .init("variance_weight", .number(.nonNegative), number(d.varianceWeight), "Weight of the variance term."),
        .init("covariance_weight", .number(.nonNegative), number(d.covarianceWeight), "Weight of the covariance term."),
        projector(d.projectorHiddenWidths + [d.projectorOutputFeatures]),
      ]), "VICReg: variance, invariance, covariance.")
  }()

  /// The methods a pipeline file may name, each with its `method:` keys (defaults from its
  /// `Configuration()`) and how a resolved value becomes its configuration: the one
  /// registration of a method in the pipeline (its variant above and one entry here).
  static let methods: [Entry] = [
    Entry(SimCLR.self, simclr) { r, p in
      return .init(
        temperature: r.float("temperature"), projectorHiddenWidths: p.hidden,
        projectorOutputFeatures: p.output, projectorHasBatchNorm: r.bool("projector_batch_norm"))
    },
    Entry(MoCoV2.self, mocov2) { r, p in
      return .init(
        temperature: r.float("temperature"), projectorHiddenWidths: p.hidden,
        projectorOutputFeatures: p.output, projectorHasBatchNorm: r.bool("projector_batch_norm"),
        queueSize: r.int("queue_size"), momentum: r.float("momentum"),
        finalMomentum: r.optionalFloat("final_momentum"), isSymmetric: r.bool("symmetric"))
    },
    Entry(BYOL.self, byol) { r, p in
      return .init(
        projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output,
        predictorHiddenWidths: r.ints("predictor_hidden"), baseMomentum: r.float("momentum"),
        finalMomentum: r.float("final_momentum"), isSymmetric: r.bool("symmetric"))
    },
    Entry(SimSiam.self, simsiam) { r, p in
      return .init(
        projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output,
        predictorHiddenWidths: r.ints("predictor_hidden"))
    },
    Entry(BarlowTwins.self, barlowTwins) { r, p in
      return .init(lambda: r.float("lambda"), projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output)
    },
    Entry(VICReg.self, vicreg) { r, p in
      return .init(
        invarianceWeight: r.float("invariance_weight"), varianceWeight: r.float("variance_weight"),
        covarianceWeight: r.float("covariance_weight"), projectorHiddenWidths: p.hidden,
        projectorOutputFeatures: p.output)
    },
    Entry(MoCoV3.self, mocov3) { r, p in
      return .init(
        temperature: r.float("temperature"), projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output,
        projectorHasLastBatchNorm: r.bool("projector_last_batch_norm"),
        predictorHiddenWidths: r.ints("predictor_hidden"), baseMomentum: r.float("momentum"),
        finalMomentum: r.float("final_momentum"))
    },
    Entry(NNCLR.self, nnclr) { r, p in
      return .init(
        temperature: r.float("temperature"), projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output,
        predictorHiddenWidths: r.ints("predictor_hidden"), queueSize: r.int("queue_size"))
    },
    Entry(SwAV.self, swav) { r, p in
      return .init(
        projectorHiddenWidths: p.hidden, projectorOutputFeatures: p.output, prototypes: r.int("prototypes"),
        temperature: r.float("temperature"), epsilon: r.float("epsilon"),
        sinkhornIterations: r.int("sinkhorn_iterations"),
        freezePrototypesEpochs: r.int("freeze_prototypes_epochs"), queueSize: r.int("queue_size"),
        queueStartEpoch: r.int("queue_start_epoch"))
    },
    Entry(DINO.self, dino) { r, p in
      let head = r.ints("head")
      return .init(
        headHiddenWidths: Array(head.dropLast()), bottleneckFeatures: head.last!,
        prototypes: r.int("prototypes"), headHasBatchNorm: r.bool("head_batch_norm"),
        studentTemperature: r.float("student_temperature"), teacherTemperature: r.float("teacher_temperature"),
        warmupTeacherTemperature: r.float("warmup_teacher_temperature"),
        warmupTeacherTemperatureEpochs: r.int("warmup_teacher_temperature_epochs"),
        centerMomentum: r.float("center_momentum"), baseMomentum: r.float("momentum"),
        finalMomentum: r.float("final_momentum"), freezeLastLayerEpochs: r.int("freeze_last_layer_epochs"))
    },
  ]

  /// The shape of `method:`: one variant per method.
  static let shape: ParameterShape = .named("method", .union(.init(methods.map(\.variant))))

  /// The methods that take multi-crop local views, in registration order.
  public static let localViewMethods = methods.filter(\.takesLocalViews).map(\.variant.name)

  /// The configuration a resolved `method:` value describes.
  public static func configuration(resolved: CanonicalJSON) -> MethodConfiguration {
    let r = ResolvedValues(resolved)
    let type = r.string("type")
    guard let entry = methods.first(where: { $0.variant.name == type }) else {
      preconditionFailure("unknown method type '\(type)': the decoder accepts only registered ones")
    }
    return entry.configuration(r)
  }
}

extension MethodSpec {
  /// The projector widths of `method:` (`projector: [h₁, …, out]`).
  struct Projector {
    var hidden: [Int]
    var output: Int

    init(_ r: ResolvedValues) {
      let widths = r.members["projector"] == nil ? [] : r.ints("projector")
      hidden = Array(widths.dropLast())
      output = widths.last ?? 0
    }
  }

  /// One method of `method:`.
  struct Entry: Sendable {
    let variant: ParameterShape.Variant
    let takesLocalViews: Bool
    let configuration: @Sendable (ResolvedValues) -> MethodConfiguration

    init<M: ConfiguredMethod>(
      _ method: M.Type, _ variant: ParameterShape.Variant,
      configuration: @escaping @Sendable (ResolvedValues, Projector) -> M.Configuration
    ) {
      precondition(variant.name == M.methodName, "variant \(variant.name) registered for \(M.methodName)")
      self.variant = variant
      takesLocalViews = M.takesLocalViews
      self.configuration = { MethodConfiguration(M.self, configuration($0, Projector($0))) }
    }
  }
}
