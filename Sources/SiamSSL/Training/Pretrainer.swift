import Foundation
import SiamData
import SiamNN
import SiamTensor

/// The pretraining loop: drives any `Method` over the batches of a `MultiViewLoader`
/// with an optimizer and a warmup-cosine learning rate, reports to observers, checkpoints
/// every epoch and resumes bit-exactly.
///
/// Per step, at global step `k` of `T`:
///
///     optimizer.learningRate = schedule.value(atStep: k)
///     method.prepareStep(StepPosition(step: k, ...))          // epoch-dependent schedules
///     let (loss, gradients, metrics) = method.computeGradients(views: batch.views)
///     optimizer.update(method.trainableModule, gradients: gradients)
///     method.afterOptimizerStep(step: k, totalSteps: T)      // EMA targets, momentum m_k
///
/// Gradients flow only through the online branch: the method guarantees it and the loop
/// traps when a gradient key is not a parameter of `trainableModule`.
///
/// Resume: when `checkpointDirectory` holds a checkpoint, the initialiser loads the
/// newest (method state including momentum networks and queues, optimizer state) and
/// `run` continues at the next epoch. The loader's draws are a pure function of (seed,
/// epoch, sample, view), the learning rate and momentum are pure functions of the step,
/// and everything else is in the checkpoint, so the resumed run ends with weights
/// bit-identical to an uninterrupted one (same thread count). A checkpoint of another
/// method, configuration or dataset is an `SSLError.checkpointMismatch`, never a silent
/// resume.
///
/// Not `Sendable`: one thread runs the loop; observers are called on it.
public final class Pretrainer {
  /// Evaluates the encoder (in evaluation mode) after an epoch and returns named metrics
  /// (`knn_top1`, ...). Injected because the kNN classifier lives in SiamEval, above
  /// SiamSSL. It must not change the encoder's tensors.
  public typealias Monitor = (_ encoder: any FeatureEncoder, _ epoch: Int) throws -> [String: Float]

  public let method: any Method
  public let loader: MultiViewLoader
  public let configuration: PretrainingConfiguration
  /// Where checkpoints are written and resumed from; nil: no checkpoints.
  public let checkpointDirectory: String?
  public var observers: [any PretrainingObserver]
  /// The kNN monitor, run every `configuration.knnEveryEpochs` epochs.
  public let knnMonitor: Monitor?
  /// The optimizer (its state is checkpointed under `optimizer.`).
  public internal(set) var optimizer: any Optimizer
  /// The epoch index `run` starts at next.
  public internal(set) var nextEpoch = 0
  /// Optimizer steps taken so far in the run (resumed ones included).
  public internal(set) var globalStep = 0
  /// The checkpoint this run resumed from, if any.
  public internal(set) var resumedFrom: String?
  /// Every epoch's record of the run so far, resumed epochs included (from the checkpoint).
  public internal(set) var history: [EpochRecord] = []
  /// What resuming found wrong and how it recovered (a damaged checkpoint moved aside, a
  /// fall back to an earlier one or to the start); empty when nothing was.
  public internal(set) var resumeWarnings: [String] = []

  /// Optimizer steps per epoch.
  public let stepsPerEpoch: Int
  /// Optimizer steps of the run.
  public var totalSteps: Int { stepsPerEpoch * configuration.epochs }
  let schedule: WarmupCosineSchedule
  let trainableKeys: Set<String>

  /// Prepares a run and resumes from the newest checkpoint in `checkpointDirectory`.
  ///
  /// - Parameters:
  ///   - method: The method, freshly built (its weights are replaced when resuming).
  ///   - loader: The training batches: `configuration.batchSize` samples, `dropLast`,
  ///     one view per view of the method (`configuration.makeLoader` builds one).
  ///   - configuration: Epochs, optimizer, schedule, cadences (validated).
  ///   - checkpointDirectory: Created when missing; nil for no checkpoints.
  ///   - observers: Told of progress, in order.
  ///   - knnMonitor: Called when `configuration.knnEveryEpochs` says so.
  /// - Throws: `SSLError.invalidConfiguration` for a bad configuration or a loader that
  ///   does not fit it; when resuming, `NNError` for an unreadable or corrupt checkpoint
  ///   and `SSLError.checkpointMismatch` for a checkpoint of another run.
  public init(
    method: any Method, loader: MultiViewLoader, configuration: PretrainingConfiguration,
    checkpointDirectory: String? = nil, observers: [any PretrainingObserver] = [], knnMonitor: Monitor? = nil
  ) throws {
    try configuration.validate()
    try require(
      loader.batchSize == configuration.batchSize, "batchSize",
      "the loader serves batches of \(loader.batchSize) but the configuration asks for \(configuration.batchSize)")
    try require(loader.dropLast, "batchSize", "the loader must drop the last partial batch (every step has N rows)")
    try require(
      loader.views.count == method.viewCount, "views",
      "\(method.name) needs \(method.viewCount) views, the loader makes \(loader.views.count)")
    try require(
      loader.batchesPerEpoch >= 1, "batchSize",
      "the dataset \(loader.dataset.name) has \(loader.dataset.count) samples, fewer than one batch of \(loader.batchSize)"
    )
    self.method = method
    self.loader = loader
    self.configuration = configuration
    self.checkpointDirectory = checkpointDirectory
    self.observers = observers
    self.knnMonitor = knnMonitor
    self.optimizer = configuration.optimizer.makeOptimizer(batchSize: configuration.batchSize)
    self.stepsPerEpoch = loader.batchesPerEpoch
    self.schedule = configuration.learningRateSchedule(stepsPerEpoch: loader.batchesPerEpoch)
    self.trainableKeys = Set(method.trainableModule.tensorKeys(kind: .parameter))
    if let checkpointDirectory { try resumeFromNewestSound(in: checkpointDirectory) }
  }

  /// Whether every epoch of the configuration has run.
  public var isComplete: Bool { nextEpoch >= configuration.epochs }

  // MARK: - The loop

  /// Runs the remaining epochs (or those before `untilEpochsCompleted`).
  ///
  /// - Parameter untilEpochsCompleted: Stop once this many epochs of the run are done
  ///   (a checkpoint is written then, whatever the cadence); nil: run to the end. The
  ///   schedule still spans `configuration.epochs`, so a later `run` (or a new
  ///   `Pretrainer` on the same directory) continues the same trajectory.
  /// - Returns: The records of the epochs run and where the run stands.
  /// - Throws: `SSLError.diverged` when a loss is not finite (before the optimizer applies
  ///   that step; the checkpoints on disk stay as they were); `NNError.fileAccess` when a
  ///   checkpoint cannot be written; what the kNN monitor throws.
  @discardableResult
  public func run(untilEpochsCompleted: Int? = nil) throws -> PretrainingResult {
    let stopEpoch = Swift.min(untilEpochsCompleted ?? configuration.epochs, configuration.epochs)
    let startEpoch = nextEpoch
    let start = PretrainingStart(
      method: method.name, epochs: configuration.epochs, stepsPerEpoch: stepsPerEpoch,
      batchSize: configuration.batchSize, startEpoch: startEpoch, resumedFrom: resumedFrom,
      parameterCount: method.trainableModule.parameterCount)
    for observer in observers { observer.didStart(start) }
    var pace = Pace()
    var records: [EpochRecord] = []
    while nextEpoch < stopEpoch {
      let epoch = nextEpoch
      var record = try runEpoch(epoch, pace: &pace)
      nextEpoch += 1
      // The record is complete (monitor included) before the checkpoint, which keeps the
      // whole history; the monitor only reads the encoder in eval mode.
      if let knnMonitor, configuration.knnIsDue(afterEpoch: epoch) {
        method.train(false)
        defer { method.train(true) }
        record.knn = try knnMonitor(method.encoder, epoch)
      }
      record.estimatedSecondsRemaining = pace.secondsRemaining(globalStep: globalStep, totalSteps: totalSteps)
      history.append(record)
      if let directory = checkpointDirectory,
        configuration.checkpointIsDue(afterEpoch: epoch) || nextEpoch == stopEpoch
      {
        let path = try saveCheckpoint(in: directory)
        for observer in observers { observer.didSaveCheckpoint(path: path, epoch: epoch) }
      }
      for observer in observers { observer.didFinishEpoch(record) }
      records.append(record)
    }
    return PretrainingResult(
      startEpoch: startEpoch, resumedFrom: resumedFrom, epochs: records, globalStep: globalStep,
      isComplete: isComplete)
  }

  /// One epoch of steps; returns its record (without the kNN result).
  private func runEpoch(_ epoch: Int, pace: inout Pace) throws -> EpochRecord {
    method.train(true)
    let clock = ContinuousClock()
    let epochStart = clock.now
    var sums = MetricSums()
    var waitSeconds = 0.0
    var images = 0
    var learningRate: Float = 0
    let iterator = loader.batches(epoch: epoch).makeIterator()
    for step in 0..<stepsPerEpoch {
      let stepStart = clock.now
      guard let batch = iterator.next() else {
        preconditionFailure("the loader ended epoch \(epoch) after \(step) of \(stepsPerEpoch) batches")
      }
      let wait = (clock.now - stepStart).seconds
      learningRate = schedule.value(atStep: globalStep)
      optimizer.learningRate = learningRate
      method.prepareStep(StepPosition(step: globalStep, stepsPerEpoch: stepsPerEpoch, totalSteps: totalSteps))
      let result = method.computeGradients(views: batch.views)
      guard result.loss.isFinite else {
        throw SSLError(
          .diverged, key: "optimizer.learningRate",
          "\(method.name): the loss is \(result.loss) at epoch \(epoch + 1) step \(step + 1) (global step "
            + "\(globalStep), learning rate \(learningRate)); lower the learning rate or check the data. "
            + "The last checkpoint is left as it was")
      }
      checkGradientKeys(result.gradients)
      optimizer.update(method.trainableModule, gradients: result.gradients)
      let after = method.afterOptimizerStep(step: globalStep, totalSteps: totalSteps)
      let stepSeconds = (clock.now - stepStart).seconds
      var metrics = result.metrics.merging(after) { _, new in new }
      metrics["loss"] = result.loss
      sums.add(metrics)
      waitSeconds += wait
      images += batch.count
      globalStep += 1
      pace.add(seconds: stepSeconds)
      let imagesPerSecond = Double(batch.count) / Swift.max(stepSeconds, 1e-9)
      let secondsRemaining = pace.secondsRemaining(globalStep: globalStep, totalSteps: totalSteps)
      let progress = TrainingProgress(
        epoch: epoch, epochs: configuration.epochs, step: step, stepsPerEpoch: stepsPerEpoch,
        loss: Double(result.loss), imagesPerSecond: imagesPerSecond, estimatedSecondsRemaining: secondsRemaining)
      for observer in observers { observer.didProgress(progress) }
      if step % configuration.logEverySteps == 0 || step == stepsPerEpoch - 1 {
        let record = StepRecord(
          epoch: epoch, epochs: configuration.epochs, step: step, stepsPerEpoch: stepsPerEpoch,
          globalStep: globalStep - 1, totalSteps: totalSteps, loss: result.loss, learningRate: learningRate,
          momentum: after["momentum"], imagesPerSecond: imagesPerSecond,
          dataWaitSeconds: wait, stepSeconds: stepSeconds,
          estimatedSecondsRemaining: secondsRemaining,
          metrics: metrics)
        for observer in observers { observer.didFinishStep(record) }
      }
    }
    let seconds = Swift.max((clock.now - epochStart).seconds, 1e-9)
    let means = sums.means
    return EpochRecord(
      epoch: epoch, epochs: configuration.epochs, globalStep: globalStep, meanLoss: means["loss"] ?? .nan,
      metrics: means, embeddingStd: means["embedding_std"], learningRate: learningRate, seconds: seconds,
      imagesPerSecond: Double(images) / seconds, dataWaitSeconds: waitSeconds, dataWaitFraction: waitSeconds / seconds,
      knn: nil, estimatedSecondsRemaining: pace.secondsRemaining(globalStep: globalStep, totalSteps: totalSteps))
  }

  /// Traps when the method returned a gradient for something the optimizer does not own
  /// (a target network, a buffer): a bug in the method.
  private func checkGradientKeys(_ gradients: [String: Tensor]) {
    guard gradients.count > trainableKeys.count || gradients.keys.contains(where: { !trainableKeys.contains($0) })
    else {
      return
    }
    let stray = gradients.keys.filter { !trainableKeys.contains($0) }.sorted()
    preconditionFailure("\(method.name): gradients for keys outside trainableModule: \(stray.prefix(8))")
  }
}

// MARK: - Helpers

/// Per-key sums of step metrics, for epoch means (accumulated in Double).
struct MetricSums {
  private var sums: [String: Double] = [:]
  private var counts: [String: Int] = [:]

  mutating func add(_ metrics: [String: Float]) {
    for (key, value) in metrics {
      sums[key, default: 0] += Double(value)
      counts[key, default: 0] += 1
    }
  }

  var means: [String: Float] {
    Dictionary(uniqueKeysWithValues: sums.map { key, sum in (key, Float(sum / Double(counts[key]!))) })
  }
}

/// The pace of this process's steps, for the remaining-time estimate.
struct Pace {
  private var seconds = 0.0
  private var steps = 0

  mutating func add(seconds: Double) {
    self.seconds += seconds
    steps += 1
  }

  /// Seconds for the steps from `globalStep` to `totalSteps` at the mean step time so far.
  func secondsRemaining(globalStep: Int, totalSteps: Int) -> Double {
    guard steps > 0 else { return .nan }
    return seconds / Double(steps) * Double(Swift.max(0, totalSteps - globalStep))
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    let (whole, attoseconds) = components
    return Double(whole) + Double(attoseconds) * 1e-18
  }
}
