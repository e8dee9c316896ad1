/// How a run starts: the method, the size of the run and where it resumes from.
public struct PretrainingStart: Sendable, Hashable {
  /// The method's name (`simclr`, ...).
  public var method: String
  public var epochs: Int
  public var stepsPerEpoch: Int
  public var batchSize: Int
  /// The first epoch index this call runs (0 unless resumed).
  public var startEpoch: Int
  /// The checkpoint resumed from, if any.
  public var resumedFrom: String?
  /// Trainable parameters of the method.
  public var parameterCount: Int
}

/// What the pretraining loop reports after a step: the step's position, its loss,
/// learning rate, momentum, speed and data-path wait, and the method's metrics.
///
/// Epochs and steps are 0-based indices (`epoch` 0 is the first epoch, as the loader
/// counts); logs print them 1-based.
public struct StepRecord: Sendable, Codable, Hashable {
  /// The epoch index (0-based).
  public var epoch: Int
  /// The number of epochs of the run.
  public var epochs: Int
  /// The step's index in its epoch (0-based).
  public var step: Int
  /// Steps in every epoch.
  public var stepsPerEpoch: Int
  /// The step's index in the run (0-based): `epoch · stepsPerEpoch + step`.
  public var globalStep: Int
  /// Steps in the run.
  public var totalSteps: Int
  public var loss: Float
  /// The learning rate this step used.
  public var learningRate: Float
  /// The target momentum `m` the method applied after the step (EMA methods), else nil.
  public var momentum: Float?
  /// Images (samples) of this step per second of its wall time (wait included).
  public var imagesPerSecond: Double
  /// Seconds this step waited for the loader to hand over its batch.
  public var dataWaitSeconds: Double
  /// Wall seconds of the step: the wait plus forward, backward, optimizer and
  /// after-step update.
  public var stepSeconds: Double
  /// Seconds left in the run at this step's pace so far (steps of this process).
  public var estimatedSecondsRemaining: Double
  /// The method's metrics (`loss`, `embedding_std`, ...) and those of its after-step
  /// update (`momentum`).
  public var metrics: [String: Float]

  public init(
    epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int, globalStep: Int, totalSteps: Int, loss: Float,
    learningRate: Float, momentum: Float?, imagesPerSecond: Double, dataWaitSeconds: Double, stepSeconds: Double,
    estimatedSecondsRemaining: Double, metrics: [String: Float]
  ) {
    self.epoch = epoch
    self.epochs = epochs
    self.step = step
    self.stepsPerEpoch = stepsPerEpoch
    self.globalStep = globalStep
    self.totalSteps = totalSteps
    self.loss = loss
    self.learningRate = learningRate
    self.momentum = momentum
    self.imagesPerSecond = imagesPerSecond
    self.dataWaitSeconds = dataWaitSeconds
    self.stepSeconds = stepSeconds
    self.estimatedSecondsRemaining = estimatedSecondsRemaining
    self.metrics = metrics
  }
}

/// What the pretraining loop reports after an epoch: means over its steps, its speed,
/// the share of its wall time spent waiting for data, and the kNN monitor when it ran.
public struct EpochRecord: Sendable, Codable, Hashable {
  /// The epoch index (0-based).
  public var epoch: Int
  /// The number of epochs of the run.
  public var epochs: Int
  /// Steps taken in the run once this epoch finished.
  public var globalStep: Int
  /// The mean loss of the epoch's steps.
  public var meanLoss: Float
  /// Every metric of the method (and of its after-step update), averaged over the steps.
  public var metrics: [String: Float]
  /// The mean of the method's `embedding_std` (per-dimension standard deviation of the
  /// L2-normalised embeddings: about `1/√D` when spread, 0 at collapse); nil when the
  /// method does not report it.
  public var embeddingStd: Float?
  /// The learning rate of the epoch's last step.
  public var learningRate: Float
  /// Wall seconds from asking for the first batch to the end of the last step (not the
  /// checkpoint or the kNN monitor).
  public var seconds: Double
  /// Images of the epoch per wall second.
  public var imagesPerSecond: Double
  /// Seconds the epoch's steps waited for the loader, summed.
  public var dataWaitSeconds: Double
  /// `dataWaitSeconds / seconds`: the share of the epoch the loop starved (goal < 5 %).
  public var dataWaitFraction: Double
  /// The kNN monitor's metrics (`knn_top1`, ...) when it ran after this epoch.
  public var knn: [String: Float]?
  /// Seconds left in the run at this process's pace so far.
  public var estimatedSecondsRemaining: Double

  public init(
    epoch: Int, epochs: Int, globalStep: Int, meanLoss: Float, metrics: [String: Float], embeddingStd: Float?,
    learningRate: Float, seconds: Double, imagesPerSecond: Double, dataWaitSeconds: Double, dataWaitFraction: Double,
    knn: [String: Float]?, estimatedSecondsRemaining: Double
  ) {
    self.epoch = epoch
    self.epochs = epochs
    self.globalStep = globalStep
    self.meanLoss = meanLoss
    self.metrics = metrics
    self.embeddingStd = embeddingStd
    self.learningRate = learningRate
    self.seconds = seconds
    self.imagesPerSecond = imagesPerSecond
    self.dataWaitSeconds = dataWaitSeconds
    self.dataWaitFraction = dataWaitFraction
    self.knn = knn
    self.estimatedSecondsRemaining = estimatedSecondsRemaining
  }
}

/// What `Pretrainer.run` did.
public struct PretrainingResult: Sendable {
  /// The epoch index the run started at (0 for a fresh run, `k` after resuming from the
  /// checkpoint of epoch `k − 1`).
  public var startEpoch: Int
  /// The checkpoint the run resumed from, if any.
  public var resumedFrom: String?
  /// One record per epoch this call ran.
  public var epochs: [EpochRecord]
  /// Steps taken in the whole run (resumed ones included) when the call returned.
  public var globalStep: Int
  /// Whether every epoch of the configuration has been run.
  public var isComplete: Bool
}
