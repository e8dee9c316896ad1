import SiamNN

/// `kind: supervised`: the supervised baseline, an encoder and a linear head trained with
/// cross-entropy on all labels; its encoder can be probed like a pretrained one.
///
/// ```yaml
/// baseline: {kind: supervised, needs: [data], encoder: small, epochs: 30, augmentation: view}
/// ```
public struct SupervisedParameters: StageParameters, Hashable {
  public static let kind = "supervised"
  public static let implementationVersion = 1
  public static let inputs = StageInputs(kinds: ["dataset"], count: 1...1)
  public static let documentation = "Supervised baseline trained on all labels."
  public static let shape: ParameterShape = .object(
    .init([
      .init(
        "encoder", EncoderSpec.referenceShape, .defaultValue(EncoderSpec.defaultEncoder),
        "Name of an encoder under encoders:, or an inline encoder; default the small ConvNet."),
      EvaluationFields.epochs(30), EvaluationFields.lr(0.1), EvaluationFields.weightDecay(5e-4),
      EvaluationFields.batchSize(256),
      EvaluationFields.augmentation,
    ]))

  public var encoder: EncoderConfiguration
  public var epochs: Int
  public var learningRate: Float
  public var weightDecay: Float
  public var batchSize: Int
  public var augmentation: AugmentationChainSpec?

  public init(resolved: ResolvedValues) {
    encoder = EncoderSpec.configuration(resolved: resolved.raw("encoder"))
    epochs = resolved.int("epochs")
    learningRate = resolved.float("lr")
    weightDecay = resolved.float("weight_decay")
    batchSize = resolved.int("batch_size")
    let chain = resolved.raw("augmentation")
    augmentation = chain.isNull ? nil : AugmentationChainSpec(resolved: chain)
  }
}
