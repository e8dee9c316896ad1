/// Where a training loop stands (pretraining, fine-tuning, supervised training, the linear
/// probe): what a progress bar draws. The loops report it (`PretrainingObserver.didProgress`,
/// the evaluations' `progress` handlers) and the pipeline passes it on as its stage's
/// progress (`RunObserver.stageDidProgress`).
///
/// Sent often (pretraining: after every step), so it holds scalars only and is never
/// recorded in the run store. Epochs and steps are 0-based indices; a display prints
/// them 1-based.
public struct TrainingProgress: Sendable, Hashable {
  /// What the report marks.
  public enum Event: String, Sendable, Hashable {
    /// A step finished.
    case step
    /// An epoch finished (`loss` is then the epoch's mean).
    case epoch
  }

  public var event: Event
  /// The epoch index (0-based).
  public var epoch: Int
  public var epochs: Int
  /// The step's index in its epoch (0-based); for `.epoch`, the last step.
  public var step: Int
  public var stepsPerEpoch: Int
  /// The step's loss (the linear probe, and `.epoch`: the epoch's mean loss).
  public var loss: Double?
  /// Samples per second of the step's wall time; nil when not measured.
  public var imagesPerSecond: Double?
  /// Seconds left in the loop as the loop estimates them; nil lets the display
  /// estimate from the elapsed time.
  public var estimatedSecondsRemaining: Double?

  public init(
    event: Event = .step, epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int, loss: Double? = nil,
    imagesPerSecond: Double? = nil, estimatedSecondsRemaining: Double? = nil
  ) {
    self.event = event
    self.epoch = epoch
    self.epochs = epochs
    self.step = step
    self.stepsPerEpoch = stepsPerEpoch
    self.loss = loss
    self.imagesPerSecond = imagesPerSecond
    self.estimatedSecondsRemaining = estimatedSecondsRemaining
  }

  /// The step's index in the loop (0-based): `epoch · stepsPerEpoch + step`.
  public var globalStep: Int { epoch * stepsPerEpoch + step }
  /// Steps done in the stage: `epoch · stepsPerEpoch + step + 1`.
  public var stepsDone: Int { epoch * stepsPerEpoch + step + 1 }
  /// Steps in the stage.
  public var totalSteps: Int { epochs * stepsPerEpoch }
  /// `stepsDone / totalSteps`, in [0, 1].
  public var fraction: Double {
    totalSteps > 0 ? min(1, max(0, Double(stepsDone) / Double(totalSteps))) : 0
  }
}
