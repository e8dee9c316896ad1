import Foundation
import SiamNN
import SiamPipeline

/// The progress of `siam run`, `sweep` and `rerun` on stderr: hears the run (and the
/// sweep's points), stamps each event with the time, and writes what its
/// `ProgressRenderer` makes of it.
///
/// One display serves a whole sweep, so that its points share the status line.
final class ProgressDisplay: RunObserver {
  private var renderer: ProgressRenderer
  private let write: (String) -> Void
  private let now: () -> Date

  init(
    renderer: ProgressRenderer, now: @escaping () -> Date = Date.init,
    write: @escaping (String) -> Void = ProgressDisplay.standardError
  ) {
    self.renderer = renderer
    self.now = now
    self.write = write
  }

  /// For stderr as it is: a terminal (with its width) or not, coloured per `color`.
  convenience init(options: ProgressOptions) {
    let isTerminal = Terminal.isTerminal(STDERR_FILENO)
    self.init(
      renderer: ProgressRenderer(
        isTerminal: isTerminal, width: Terminal.width(of: STDERR_FILENO),
        isColored: Terminal.isColored(options.color, isTerminal: isTerminal), format: options.logFormat,
        isQuiet: options.quiet))
  }

  static func standardError(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  func send(_ event: ProgressEvent) {
    let text = renderer.render(event, at: now())
    if !text.isEmpty { write(text) }
  }

  /// Clears an open status line.
  func finish() {
    let text = renderer.finish()
    if !text.isEmpty { write(text) }
  }

  // MARK: - RunObserver

  func runDidStart(id: String, directory: String, spec: PipelineSpec, plan: RunPlan, environment: RunEnvironment) {
    send(.runStarted(id: id, directory: directory, stagesToRun: plan.stagesToRun.count, stages: plan.stages.count))
  }

  func stageDidStart(_ stage: StagePlan) {
    send(.stageStarted(stage: stage.name, kind: stage.kind))
  }

  func stageDidLog(_ stage: String, line: String) {
    send(.log(stage: stage, line: line))
  }

  func stageDidProgress(_ stage: String, progress: TrainingProgress) {
    send(.progress(stage: stage, progress))
  }

  func stageDidFinish(_ result: StageResult) {
    send(
      .stageFinished(stage: result.name, status: result.status.rawValue, seconds: result.seconds, error: result.error))
  }

  func runDidFinish(_ result: RunResult) {
    send(.runFinished(id: result.id, status: result.succeeded ? "finished" : "failed", seconds: result.seconds))
  }
}
