import SiamNN

/// Hears of a pretraining run's progress: what the CLI's progress display and the run
/// store implement.
///
/// Every call comes on the thread that runs `Pretrainer.run`, in order: `didStart`, then
/// per epoch a `didProgress` after every step (with the due `didFinishStep`s after it),
/// `didSaveCheckpoint` when one was written, and `didFinishEpoch` (after the kNN
/// monitor, so that its record carries the result). Each method has an empty default,
/// so an observer implements only what it needs. Observers must not change the method
/// or the loader.
public protocol PretrainingObserver: AnyObject {
  /// The run starts (fresh or resumed).
  func didStart(_ start: PretrainingStart)
  /// A step finished; called every `logEverySteps` steps and for the last step of each
  /// epoch.
  func didFinishStep(_ record: StepRecord)
  /// A step finished; called after every step, for progress displays. Cheap: it carries
  /// no metrics dictionary, and nothing should be written to disk per call.
  func didProgress(_ progress: TrainingProgress)
  /// An epoch finished (after its kNN monitor, when due).
  func didFinishEpoch(_ record: EpochRecord)
  /// A checkpoint was written (atomically) to `path` after epoch index `epoch`.
  func didSaveCheckpoint(path: String, epoch: Int)
}

extension PretrainingObserver {
  public func didStart(_ start: PretrainingStart) {}
  public func didFinishStep(_ record: StepRecord) {}
  public func didProgress(_ progress: TrainingProgress) {}
  public func didFinishEpoch(_ record: EpochRecord) {}
  public func didSaveCheckpoint(path: String, epoch: Int) {}
}
