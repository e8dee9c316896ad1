import SiamEval
import SiamNN
import SiamTensor

/// `kind: supervised`: the supervised baseline, a freshly initialised encoder and a
/// linear head trained end to end with cross entropy on all train labels (SiamEval's
/// `FineTuner` from a random start). Artifacts: `metrics.json` (the `FineTuneResult`,
/// protocol `supervised`) and `encoder.safetensors` (for downstream probes).
public struct SupervisedStageRunner: StageRunner {
  public typealias Parameters = SupervisedParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: SupervisedParameters, context: StageContext) throws -> StageMetrics {
    let data = try context.dataset(upstreamOf: stage.name)
    let seed = UInt64(bitPattern: Int64(context.spec.seed))
    let configuration = FineTuner.Configuration(
      epochs: parameters.epochs, batchSize: parameters.batchSize, learningRate: parameters.learningRate,
      weightDecay: parameters.weightDecay, seed: seed)
    let encoder = parameters.encoder.makeEncoder(
      inputShape: data.train.imageShape, key: RandomKey(seed: seed).folded(in: "encoder"))
    let augmentation = parameters.augmentation?.makeChain(channels: data.train.imageShape[0])
    context.log("\(stage.name): supervised training for \(parameters.epochs) epochs")
    var result = try FineTuner(configuration: configuration).run(
      encoder: encoder, train: data.train, test: data.test, augmentation: augmentation,
      progress: context.progressReporter(stage: stage.name))
    result.protocol.kind = .supervised
    result.protocol.featureLayer = "encoder output (trained from scratch)"
    encoder.eval()
    try SafeTensors.write(
      encoder.stateDictionary(), metadata: ["format": "siam-encoder", "stage": stage.name],
      to: context.outputDirectory + "/encoder.safetensors")
    try context.writeEncodable(result, to: "metrics.json")
    let test = StageMetrics.protocolContext("supervised")
    return [
      .init(key: "supervised_top1", context: test, value: result.top1),
      .init(key: "supervised_top5", context: test, value: result.top5),
    ]
  }
}
