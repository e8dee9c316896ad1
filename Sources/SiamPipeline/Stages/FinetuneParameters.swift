/// `kind: finetune`: the encoder and a linear head trained end to end on a fraction of
/// the labels (semi-supervised evaluation); its input is a pretrained, supervised, already
/// fine-tuned or randomly initialised encoder (the last is the supervised baseline on the
/// same labelled fraction).
///
/// ```yaml
/// finetune: {kind: finetune, needs: [pretrain], epochs: 30, lr: 0.1, labeled_fraction: 0.1}
/// ```
public struct FinetuneParameters: StageParameters, Hashable {
  public static let kind = "finetune"
  public static let implementationVersion = 1
  public static let inputs = StageInputs(kinds: ["pretrain", "supervised", "finetune", "random_encoder"], count: 1...1)
  public static let documentation = "End-to-end fine-tuning on a fraction of the labels."
  public static let shape: ParameterShape = .object(
    .init([
      EvaluationFields.epochs(30), EvaluationFields.lr(0.1), EvaluationFields.weightDecay(0),
      EvaluationFields.batchSize(256),
      .init(
        "labeled_fraction", .number(.init(exclusiveMinimum: 0, maximum: 1)), .defaultValue(1),
        "Fraction of the training labels used, in (0, 1] (class-balanced subset)."),
      EvaluationFields.augmentation,
    ]))

  public var epochs: Int
  public var learningRate: Float
  public var weightDecay: Float
  public var batchSize: Int
  public var labeledFraction: Float
  public var augmentation: AugmentationChainSpec?

  public init(resolved: ResolvedValues) {
    epochs = resolved.int("epochs")
    learningRate = resolved.float("lr")
    weightDecay = resolved.float("weight_decay")
    batchSize = resolved.int("batch_size")
    labeledFraction = resolved.float("labeled_fraction")
    let chain = resolved.raw("augmentation")
    augmentation = chain.isNull ? nil : AugmentationChainSpec(resolved: chain)
  }
}
