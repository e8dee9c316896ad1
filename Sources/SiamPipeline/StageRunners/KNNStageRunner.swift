import SiamEval

/// `kind: knn`: SiamEval's weighted kNN (cosine similarity, weights `exp(s / T)`) on the
/// input's frozen features, one result per `k`; raw pixels when the input is a dataset
/// stage. Artifact: `metrics.json` (every `KNNResult`, protocol included). Metrics:
/// `knn_top1` and `knn_top5` for each `k`, in the order given, each with its protocol as
/// context (`k`, `temperature`, `split`).
public struct KNNStageRunner: StageRunner {
  public typealias Parameters = KNNParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: KNNParameters, context: StageContext) throws -> StageMetrics {
    let features = try context.features(of: stage.needs[0])
    var results: [KNNResult] = []
    var metrics = StageMetrics()
    for k in parameters.k {
      let knn = WeightedKNN(configuration: .init(k: k, temperature: Double(parameters.temperature)))
      let result = try knn.evaluate(train: features.train, test: features.test)
      results.append(result)
      let protocolContext = StageMetrics.protocolContext(
        "knn", ["k": .number(k), "temperature": stage.resolvedParameters["temperature"] ?? .null])
      metrics.add("knn_top1", result.top1, context: protocolContext)
      metrics.add("knn_top5", result.top5, context: protocolContext)
      context.log("\(stage.name): k \(k) top-1 \(result.top1)")
    }
    try context.writeEncodable(results, to: "metrics.json")
    return metrics
  }
}
