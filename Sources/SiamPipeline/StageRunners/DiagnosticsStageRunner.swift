import SiamData
import SiamEval
import SiamNN
import SiamTensor

/// `kind: diagnostics`: label-free statistics of the input encoder's features on the
/// first `samples` test images (SiamEval's `DiagnosticsResult`): uniformity, effective
/// rank, per-dimension std, and alignment over pairs of augmented views when an
/// `augmentation` chain is given. Artifact: `metrics.json`.
public struct DiagnosticsStageRunner: StageRunner {
  public typealias Parameters = DiagnosticsParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: DiagnosticsParameters, context: StageContext) throws -> StageMetrics {
    let input = stage.needs[0]
    let data = try context.dataset(upstreamOf: stage.name)
    let test = try data.test.selecting(.first(parameters.samples))
    let encoder = try context.loadEncoder(of: input)
    let features = try FeatureExtractor().extract(encoder: encoder, dataset: test)
    var pairs: (Tensor, Tensor)?
    if let chain = parameters.augmentation?.makeChain(channels: test.imageShape[0]),
      parameters.metrics.contains("alignment")
    {
      let loader = MultiViewLoader(
        dataset: test, views: [chain, chain], batchSize: 256, seed: UInt64(bitPattern: Int64(context.spec.seed)),
        shuffle: false, dropLast: false)
      var first: [Float] = []
      var second: [Float] = []
      loader.forEachBatch(epoch: 0) { batch in
        first += encoder(batch.views[0]).detached().scalars
        second += encoder(batch.views[1]).detached().scalars
      }
      let shape = [test.count, features.dimension]
      pairs = (Tensor(shape: shape, scalars: first), Tensor(shape: shape, scalars: second))
    }
    let result = try DiagnosticsResult.measure(features, pairedViews: pairs)
    try context.writeEncodable(result, to: "metrics.json")
    var metrics: [String: Double] = [:]
    if let alignment = result.alignment { metrics["alignment"] = alignment }
    if parameters.metrics.contains("uniformity") { metrics["uniformity"] = result.uniformity }
    if parameters.metrics.contains("effective_rank") { metrics["effective_rank"] = result.effectiveRank }
    if parameters.metrics.contains("feature_std") {
      metrics["feature_std_mean"] = result.meanDimensionStd
      metrics["feature_std_min"] = result.minDimensionStd
    }
    return StageMetrics(metrics)
  }
}
