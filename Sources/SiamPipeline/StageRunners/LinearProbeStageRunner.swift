import SiamEval

/// `kind: linear_probe`: SiamEval's `LinearProbe` (standardised frozen features, SGD
/// with momentum, cosine schedule, the model after the last epoch) on the input's
/// features; raw pixels when the input is a dataset stage. Artifact: `metrics.json` (the
/// full `LinearProbeResult`, protocol included).
public struct LinearProbeStageRunner: StageRunner {
  public typealias Parameters = LinearProbeParameters

  public init() {}

  public func run(_ stage: StageSpec, parameters: LinearProbeParameters, context: StageContext) throws -> StageMetrics {
    let features = try context.features(of: stage.needs[0])
    let configuration = LinearProbe.Configuration(
      epochs: parameters.epochs, batchSize: parameters.batchSize, learningRate: parameters.learningRate,
      weightDecay: parameters.weightDecay, seed: UInt64(bitPattern: Int64(context.spec.seed)))
    context.log(
      "\(stage.name): linear probe on \(features.train.dimension)-d \(features.train.featureLayer), \(parameters.epochs) epochs"
    )
    let result = try LinearProbe(configuration: configuration).evaluate(
      train: features.train, test: features.test, progress: context.progressReporter(stage: stage.name))
    try context.writeEncodable(result, to: "metrics.json")
    let test = StageMetrics.protocolContext("linear")
    return [
      .init(key: "linear_top1", context: test, value: result.top1),
      .init(key: "linear_top5", context: test, value: result.top5),
      .init(
        key: "linear_top1", context: StageMetrics.protocolContext("linear", split: "train"), value: result.trainTop1),
      .init(key: "linear_final_loss", value: result.finalLoss),
    ]
  }
}
