import SiamEval
import SiamNN
import SiamTensor

/// `kind: embed`: the input encoder's frozen features of the train and/or test split.
/// Artifacts: `<split>.safetensors` with `features` `[N, D]` and `labels` `[N]` (as
/// floats), in dataset order.
public struct EmbedStageRunner: StageRunner {
  public typealias Parameters = EmbedParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: EmbedParameters, context: StageContext) throws -> StageMetrics {
    let data = try context.dataset(upstreamOf: stage.name)
    let encoder = try context.loadEncoder(of: stage.needs[0])
    let extractor = FeatureExtractor(batchSize: parameters.batchSize)
    var metrics: [String: Double] = [:]
    let splits = parameters.split == "both" ? ["train", "test"] : [parameters.split]
    for split in splits {
      let dataset = split == "train" ? data.train : data.test
      let features = try extractor.extract(encoder: encoder, dataset: dataset)
      let labels = Tensor(shape: [features.count], scalars: features.labels.map(Float.init))
      try SafeTensors.write(
        ["features": features.features, "labels": labels],
        metadata: ["split": dataset.name, "stage": stage.name],
        to: context.outputDirectory + "/\(split).safetensors")
      metrics["\(split)_count"] = Double(features.count)
      metrics["dimension"] = Double(features.dimension)
    }
    return StageMetrics(metrics)
  }
}
