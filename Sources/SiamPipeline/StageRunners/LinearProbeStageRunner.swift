import SiamEval

/// `kind: linear_probe`: SiamEval's `LinearProbe` (standardised frozen features, SGD
/// with momentum, cosine schedule, the model after the last epoch) on the input's
/// features; raw pixels when the input is a dataset stage. Artifact: `metrics.json` (the
/// full `LinearProbeResult`, protocol included).
public struct LinearProbeStageRunner: StageRunner {
  public let kind = LinearProbeParameters.kind

  public init() {}

  public func run(_ stage: StageSpec, context: StageContext) throws -> [String: Double] {
    let parameters = stage.parameters as! LinearProbeParameters
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
    return [
      "linear_top1": result.top1, "linear_top5": result.top5, "linear_train_top1": result.trainTop1,
      "linear_final_loss": result.finalLoss,
    ]
  }
}
