import SiamNN
import SiamPipeline

/// What the progress display hears: the run's, stages' and sweep points' events, in
/// order, each with the time it happened (`ProgressRenderer.render(_:at:)`).
enum ProgressEvent: Sendable, Equatable {
  /// A run starts: its id, folder, and how many stages it runs of its plan's.
  case runStarted(id: String, directory: String, stagesToRun: Int, stages: Int)
  /// A stage starts executing (cache hits do not start).
  case stageStarted(stage: String, kind: String)
  /// A progress line of a stage (or of the run, `stage` nil).
  case log(stage: String?, line: String)
  /// Where a running stage stands.
  case progress(stage: String, TrainingProgress)
  /// A stage ended: `completed`, `cached`, `failed` or `skipped`.
  case stageFinished(stage: String, status: String, seconds: Double, error: String?)
  /// A run ended: `finished` or `failed`.
  case runFinished(id: String, status: String, seconds: Double)
  /// A sweep point starts (`index` 0-based).
  case pointStarted(index: Int, count: Int, overrides: String)
  /// A sweep point ended; `detail` holds its run, stage counts and headline metrics.
  case pointFinished(index: Int, count: Int, overrides: String, status: String, detail: String)
}
