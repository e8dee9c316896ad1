import Foundation
import SiamData
import SiamEval
import SiamNN
import SiamSSL
import SiamTensor

/// `kind: pretrain`: self-supervised pretraining with `Pretrainer`.
///
/// Checkpoints go to the stage's work folder (`cache/work/<fingerprint>/checkpoints`)
/// after every epoch (with a checksum and the per-epoch records so far), so a run killed
/// in the middle resumes at its last finished epoch when rerun, bit-identically (same
/// thread count); a damaged checkpoint falls back to the previous one, with a warning. Artifacts: `encoder.safetensors` (the
/// encoder's state dictionary, PyTorch-style keys) and `metrics.json` (every epoch's
/// record).
public struct PretrainStageRunner: StageRunner {
  public typealias Parameters = PretrainParameters

  public init() {}

  /// The training configuration of `parameters`; `lr` is the peak rate as written (not
  /// scaled with the batch size).
  public static func configuration(_ parameters: PretrainParameters, seed: Int) -> PretrainingConfiguration {
    let o = parameters.optimizer
    let defaults = OptimizerConfiguration()
    let optimizer = OptimizerConfiguration(
      kind: o.kind, learningRate: o.learningRate, scalesLearningRateWithBatchSize: false,
      momentum: o.kind == .adamw ? defaults.momentum : o.momentum, weightDecay: o.weightDecay,
      excludesBiasAndNormalization: OptimizerConfiguration.excludesBiasAndNormalizationByDefault(o.kind),
      beta1: o.kind == .adamw ? o.beta1 : defaults.beta1, beta2: o.kind == .adamw ? o.beta2 : defaults.beta2)
    return PretrainingConfiguration(
      epochs: parameters.epochs, batchSize: parameters.batchSize, optimizer: optimizer,
      warmupEpochs: o.warmupEpochs, seed: UInt64(bitPattern: Int64(seed)), knnEveryEpochs: parameters.knnEveryEpochs)
  }

  /// The kNN monitor's protocol (InstDisc/MoCo style): weighted kNN on the frozen
  /// features of the train and test splits with k = 200 (the train count for smaller
  /// sets) and T = 0.1.
  public static let monitorKNN = WeightedKNN.Configuration(k: 200, temperature: 0.1)

  /// The context the run store records the monitor's `monitor_knn_top1` with.
  public static let monitorContext = StageMetrics.protocolContext(
    "knn", ["temperature": .number(monitorKNN.temperature)])

  /// The kNN monitor: `monitorKNN` on the encoder's features, reported as `knn_top1`.
  static func knnMonitor(train: Dataset, test: Dataset) -> Pretrainer.Monitor {
    { encoder, _ in
      let extractor = FeatureExtractor()
      let trainFeatures = try extractor.extract(encoder: encoder, dataset: train)
      let testFeatures = try extractor.extract(encoder: encoder, dataset: test)
      var settings = monitorKNN
      settings.k = min(settings.k, train.count)
      let knn = WeightedKNN(configuration: settings)
      return ["knn_top1": Float(try knn.evaluate(train: trainFeatures, test: testFeatures).top1)]
    }
  }

  /// What the run store records of a step: `loss`, `lr`, `images_per_second`, the
  /// method's metrics and the momentum of EMA methods.
  static func stepMetrics(_ step: StepRecord) -> [String: Double] {
    var metrics = step.metrics.mapValues(Double.init)
    metrics["loss"] = Double(step.loss)
    metrics["lr"] = Double(step.learningRate)
    metrics["images_per_second"] = step.imagesPerSecond
    if let momentum = step.momentum { metrics["momentum"] = Double(momentum) }
    return metrics
  }

  public func run(_ stage: StageSpec, parameters: PretrainParameters, context: StageContext) throws -> StageMetrics {
    let splits = try context.dataset(upstreamOf: stage.name)
    let data = splits.train
    let configuration = Self.configuration(parameters, seed: context.spec.seed)
    let chains = (parameters.views + parameters.localViews).map { $0.makeChain(channels: data.imageShape[0]) }
    let loader = configuration.makeLoader(dataset: data, views: chains)
    try MethodConfiguration.checkViewShapes(
      loader.viewShapes, localViewCount: parameters.localViews.count, encoder: parameters.encoder)
    let method = try parameters.method.makeMethod(
      encoder: parameters.encoder, inputShape: loader.viewShapes[0], batchSize: parameters.batchSize,
      localViewCount: parameters.localViews.count, key: configuration.methodKey)
    let progress = ProgressForwarder(
      LineLogger(sink: { context.log("\(stage.name): \($0)") }),
      onStep: { step in
        context.record(stage: stage.name, step: step.globalStep + 1, epoch: step.epoch, metrics: Self.stepMetrics(step))
      },
      onProgress: { context.report(stage: stage.name, progress: $0) })
    let pretrainer = try Pretrainer(
      method: method, loader: loader, configuration: configuration,
      checkpointDirectory: context.workDirectory + "/checkpoints", observers: [progress],
      knnMonitor: parameters.knnEveryEpochs == nil ? nil : Self.knnMonitor(train: splits.train, test: splits.test))
    for warning in pretrainer.resumeWarnings { context.log("\(stage.name): warning: \(warning)") }
    if let resumed = pretrainer.resumedFrom {
      context.log("\(stage.name): resuming after epoch \(pretrainer.nextEpoch) from \(resumed)")
    }
    while !pretrainer.isComplete {
      try pretrainer.run(untilEpochsCompleted: pretrainer.nextEpoch + 1)
      try context.hooks.afterPretrainEpoch?(stage.name, pretrainer.nextEpoch)
    }
    // Every epoch's record, the resumed ones from the checkpoint.
    let records = pretrainer.history
    method.train(false)
    try SafeTensors.write(
      method.encoder.stateDictionary(),
      metadata: ["format": "siam-encoder", "stage": stage.name, "fingerprint": context.fingerprint],
      to: context.outputDirectory + "/encoder.safetensors")
    let last = records.last
    var final: [String: Double] = [
      "final_loss": Double(last?.meanLoss ?? .nan),
      "epochs": Double(records.count),
      "seconds": records.reduce(0) { $0 + $1.seconds },
      "images_per_second": last?.imagesPerSecond ?? 0,
    ]
    if let std = last?.embeddingStd { final["embedding_std"] = Double(std) }
    let monitor = records.last(where: { $0.knn != nil })?.knn?["knn_top1"]
    if let monitor { final["monitor_knn_top1"] = Double(monitor) }
    let pretty = JSONCoding.encoder(pretty: true)
    let document = PretrainMetricsFile(final: final, epochs: records)
    try pretty.encode(document).write(to: URL(fileURLWithPath: context.outputDirectory + "/metrics.json"))
    var metrics = StageMetrics(final.filter { $0.key != "monitor_knn_top1" && $0.value.isFinite })
    if let monitor, monitor.isFinite { metrics.add("monitor_knn_top1", Double(monitor), context: Self.monitorContext) }
    return metrics
  }
}

/// `metrics.json` of a pretrain stage.
struct PretrainMetricsFile: Codable {
  var final: [String: Double]
  var epochs: [EpochRecord]
}

/// Forwards pretraining events to a logger, announcing the start only once (the runner
/// calls `Pretrainer.run` once per epoch).
final class ProgressForwarder: PretrainingObserver {
  private let target: any PretrainingObserver
  private let onStep: (StepRecord) -> Void
  private let onProgress: (TrainingProgress) -> Void
  private var hasStarted = false
  private var stepsPerEpoch = 0

  /// - Parameters:
  ///   - onStep: Hears every logged step (the run store records it).
  ///   - onProgress: Hears every step and every epoch (progress displays).
  init(
    _ target: any PretrainingObserver, onStep: @escaping (StepRecord) -> Void = { _ in },
    onProgress: @escaping (TrainingProgress) -> Void = { _ in }
  ) {
    self.target = target
    self.onStep = onStep
    self.onProgress = onProgress
  }

  func didProgress(_ progress: TrainingProgress) {
    stepsPerEpoch = progress.stepsPerEpoch
    onProgress(progress)
  }

  func didStart(_ start: PretrainingStart) {
    stepsPerEpoch = start.stepsPerEpoch
    if !hasStarted { target.didStart(start) }
    hasStarted = true
  }

  func didFinishStep(_ record: StepRecord) {
    target.didFinishStep(record)
    onStep(record)
  }
  func didFinishEpoch(_ record: EpochRecord) {
    target.didFinishEpoch(record)
    onProgress(
      TrainingProgress(
        event: .epoch, epoch: record.epoch, epochs: record.epochs, step: max(stepsPerEpoch - 1, 0),
        stepsPerEpoch: stepsPerEpoch, loss: Double(record.meanLoss), imagesPerSecond: record.imagesPerSecond,
        estimatedSecondsRemaining: record.estimatedSecondsRemaining))
  }
  func didSaveCheckpoint(path: String, epoch: Int) { target.didSaveCheckpoint(path: path, epoch: epoch) }
}
