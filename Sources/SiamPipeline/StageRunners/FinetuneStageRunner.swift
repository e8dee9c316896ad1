import SiamEval
import SiamNN

/// `kind: finetune`: SiamEval's `FineTuner` on the input's encoder (the whole encoder and
/// a new linear head, SGD, warmup + cosine); with `labeled_fraction` < 1 the
/// semi-supervised protocol on a class-balanced fraction of the train labels.
/// Artifacts: `metrics.json` (the `FineTuneResult`) and `encoder.safetensors` (the
/// fine-tuned encoder, for downstream probes).
public struct FinetuneStageRunner: StageRunner {
  public typealias Parameters = FinetuneParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: FinetuneParameters, context: StageContext) throws -> StageMetrics {
    let data = try context.dataset(upstreamOf: stage.name)
    let encoder = try context.loadEncoder(of: stage.needs[0])
    encoder.train(true)
    let configuration = FineTuner.Configuration(
      epochs: parameters.epochs, batchSize: parameters.batchSize, learningRate: parameters.learningRate,
      weightDecay: parameters.weightDecay,
      labelFraction: parameters.labeledFraction < 1 ? Double(parameters.labeledFraction) : nil,
      seed: UInt64(bitPattern: Int64(context.spec.seed)))
    let augmentation = parameters.augmentation?.makeChain(channels: data.train.imageShape[0])
    context.log("\(stage.name): fine-tuning for \(parameters.epochs) epochs")
    let result = try FineTuner(configuration: configuration).run(
      encoder: encoder, train: data.train, test: data.test, augmentation: augmentation,
      progress: context.progressReporter(stage: stage.name))
    encoder.eval()
    try SafeTensors.write(
      encoder.stateDictionary(), metadata: ["format": "siam-encoder", "stage": stage.name],
      to: context.outputDirectory + "/encoder.safetensors")
    try context.writeEncodable(result, to: "metrics.json")
    let test = StageMetrics.protocolContext("finetune")
    return [
      .init(key: "finetune_top1", context: test, value: result.top1),
      .init(key: "finetune_top5", context: test, value: result.top5),
      .init(key: "labelled_count", value: Double(result.labelledCount)),
    ]
  }
}
