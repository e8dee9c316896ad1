import SiamNN

/// The optimizer of a training stage and its learning-rate schedule (linear warmup, then
/// cosine decay to 0 over the remaining epochs).
///
/// ```yaml
/// optimizer: {type: lars, lr: 0.3, momentum: 0.9, weight_decay: 1.0e-6, warmup_epochs: 10}
/// ```
///
/// Defaults by type: `sgd` lr 0.05, momentum 0.9, weight_decay 5e-4; `lars` lr 0.3,
/// momentum 0.9, weight_decay 1e-6; `adamw` lr 1e-3, weight_decay 0.05, beta1 0.9,
/// beta2 0.999. `warmup_epochs` defaults to 0. Without `type`, `sgd`.
public struct OptimizerSpec: Sendable, Hashable {
  public var kind: OptimizerKind
  public var learningRate: Float
  /// SGD and LARS only (0 for AdamW).
  public var momentum: Float
  public var weightDecay: Float
  public var warmupEpochs: Int
  /// AdamW only (0.9 and 0.999 otherwise).
  public var beta1: Float
  public var beta2: Float

  /// The shape of `optimizer:`.
  static let shape: ParameterShape = .named(
    "optimizer",
    .union(
      .init(
        [
          .init("sgd", .init(common(lr: 0.05, weightDecay: 5e-4) + [momentumField]), "SGD with momentum."),
          .init(
            "lars", .init(common(lr: 0.3, weightDecay: 1e-6) + [momentumField]),
            "LARS (SimCLR, BYOL); biases and normalisation layers excluded from adaptation and decay."),
          .init(
            "adamw",
            .init(
              common(lr: 1e-3, weightDecay: 0.05) + [
                .init(
                  "beta1", .number(.init(minimum: 0, exclusiveMaximum: 1)), .defaultValue(0.9), "First-moment decay."),
                .init(
                  "beta2", .number(.init(minimum: 0, exclusiveMaximum: 1)), .defaultValue(0.999), "Second-moment decay."
                ),
              ]), "AdamW (decoupled weight decay)."),
        ], defaultVariant: "sgd")))

  private static let momentumField = ParameterShape.Field(
    "momentum", .number(.init(minimum: 0, exclusiveMaximum: 1)), .defaultValue(0.9), "Momentum coefficient.")

  private static func common(lr: Double, weightDecay: Double) -> [ParameterShape.Field] {
    [
      .init("lr", .number(.positive), .defaultValue(.number(lr)), "Peak learning rate."),
      .init("weight_decay", .number(.nonNegative), .defaultValue(.number(weightDecay)), "Weight decay."),
      .init(
        "warmup_epochs", .integer(.within(0, 10_000)), .defaultValue(0),
        "Epochs of linear warmup before the cosine decay."),
    ]
  }

  /// The optimizer a resolved `optimizer:` value describes.
  public init(resolved: CanonicalJSON) {
    let r = ResolvedValues(resolved)
    kind = OptimizerKind(rawValue: r.string("type"))!
    learningRate = r.float("lr")
    weightDecay = r.float("weight_decay")
    warmupEpochs = r.int("warmup_epochs")
    momentum = kind == .adamw ? 0 : r.float("momentum")
    beta1 = kind == .adamw ? r.float("beta1") : 0.9
    beta2 = kind == .adamw ? r.float("beta2") : 0.999
  }
}
