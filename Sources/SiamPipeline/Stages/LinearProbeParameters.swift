/// `kind: linear_probe`: a linear classifier trained on frozen features of its input's
/// encoder (or on raw pixels when the input is the dataset), reporting test accuracy.
///
/// ```yaml
/// linear: {kind: linear_probe, needs: [pretrain], epochs: 100, lr: 0.1}
/// ```
public struct LinearProbeParameters: StageParameters, Hashable {
  public static let kind = "linear_probe"
  public static let implementationVersion = 1
  public static let inputs = StageInputs.oneEncoder
  public static let documentation = "Linear classifier on frozen features; top-1 test accuracy."
  public static let shape: ParameterShape = .object(
    .init([
      EvaluationFields.epochs(100), EvaluationFields.lr(0.1), EvaluationFields.weightDecay(0),
      EvaluationFields.batchSize(256),
    ]))

  public var epochs: Int
  public var learningRate: Float
  public var weightDecay: Float
  public var batchSize: Int

  public init(resolved: ResolvedValues) {
    epochs = resolved.int("epochs")
    learningRate = resolved.float("lr")
    weightDecay = resolved.float("weight_decay")
    batchSize = resolved.int("batch_size")
  }
}
