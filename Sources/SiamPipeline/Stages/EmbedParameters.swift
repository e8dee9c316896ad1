/// `kind: embed`: frozen features of the train and/or test images, saved as an artifact
/// (`.npy`) for later stages and for external tools.
///
/// ```yaml
/// features: {kind: embed, needs: [pretrain], split: test}
/// ```
public struct EmbedParameters: StageParameters, Hashable {
  public static let kind = "embed"
  public static let implementationVersion = 1
  public static let inputs = StageInputs(kinds: ["pretrain", "supervised", "finetune", "random_encoder"], count: 1...1)
  public static let documentation = "Frozen features of the images, saved as .npy."
  public static let shape: ParameterShape = .object(
    .init([
      .init("split", .enumeration(["train", "test", "both"]), .defaultValue("both"), "Which split to embed."),
      EvaluationFields.batchSize(512),
    ]))

  public var split: String
  public var batchSize: Int

  public init(resolved: ResolvedValues) {
    split = resolved.string("split")
    batchSize = resolved.int("batch_size")
  }
}
