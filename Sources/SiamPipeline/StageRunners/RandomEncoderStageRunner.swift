import SiamEval
import SiamNN
import SiamTensor

/// `kind: random_encoder`: writes the encoder's state at its initialisation
/// (`RandomKey(pipeline seed).folded(in: "encoder")`, the start of the supervised
/// baseline; BatchNorm statistics at their initial values, mean 0 and variance 1) as
/// `encoder.safetensors`, for downstream probes.
public struct RandomEncoderStageRunner: StageRunner {
  public typealias Parameters = RandomEncoderParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: RandomEncoderParameters, context: StageContext) throws -> StageMetrics
  {
    let data = try context.dataset(upstreamOf: stage.name)
    let seed = UInt64(bitPattern: Int64(context.spec.seed))
    let encoder = parameters.encoder.makeEncoder(
      inputShape: data.train.imageShape, key: RandomKey(seed: seed).folded(in: "encoder"))
    encoder.eval()
    try SafeTensors.write(
      encoder.stateDictionary(),
      metadata: ["format": "siam-encoder", "stage": stage.name, "layer": Baselines.randomEncoderLayer],
      to: context.outputDirectory + "/encoder.safetensors")
    return [.init(key: "parameters", value: Double(encoder.parameterCount))]
  }
}
