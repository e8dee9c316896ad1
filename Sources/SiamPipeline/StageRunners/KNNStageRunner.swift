import SiamEval

/// `kind: knn`: SiamEval's weighted kNN (cosine similarity, weights `exp(s / T)`) on the
/// input's frozen features, one result per `k`; raw pixels when the input is a dataset
/// stage. Artifact: `metrics.json` (every `KNNResult`, protocol included). Metrics:
/// `knn_top1` and `knn_top5` for the first `k`, `knn_top1@k` for each `k` when several.
public struct KNNStageRunner: StageRunner {
  public let kind = KNNParameters.kind

  public init() {}

  public func run(_ stage: StageSpec, context: StageContext) throws -> [String: Double] {
    let parameters = stage.parameters as! KNNParameters
    let features = try context.features(of: stage.needs[0])
    var results: [KNNResult] = []
    var metrics: [String: Double] = [:]
    for k in parameters.k {
      let knn = WeightedKNN(configuration: .init(k: k, temperature: Double(parameters.temperature)))
      let result = try knn.evaluate(train: features.train, test: features.test)
      results.append(result)
      if parameters.k.count > 1 { metrics["knn_top1@\(k)"] = result.top1 }
      context.log("\(stage.name): k \(k) top-1 \(result.top1)")
    }
    metrics["knn_top1"] = results[0].top1
    metrics["knn_top5"] = results[0].top5
    try context.writeEncodable(results, to: "metrics.json")
    return metrics
  }
}
