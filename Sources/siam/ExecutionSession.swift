import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

/// The one path that `siam run`, `rerun` and `sweep` share around executing stages: the
/// progress display, the run store and the recorders writing into it, the signal trap
/// (Ctrl-C or SIGTERM marks what is running as killed, then exits with 128 + signal),
/// store problems gathered and reported at the end, and errors mapped to exit status 1.
final class ExecutionSession: @unchecked Sendable {
  let display: ProgressDisplay
  /// The run store; nil when it could not be opened (the work still runs, its results
  /// stay in the run folders, and the failure is reported at the end).
  private(set) var store: RunStore?
  private let lock = NSLock()
  private var problemList: [String] = []
  private var active: [StoreRecorder] = []
  private var interruptHandlers: [@Sendable (Int32) -> Void] = []
  private var trap: SignalTrap?

  /// Opens the store at `storePath`, makes the display, and installs the signal trap.
  init(execution: ExecutionOptions, storePath: String) {
    display = execution.makeDisplay()
    do {
      store = try RunStore.open(path: storePath)
    } catch {
      problemList.append(error.description)
    }
    trap = SignalTrap { [weak self] signal in
      Console.error("\nstopped by signal \(signal): finished stages stay in the cache; run the same command to go on")
      self?.interrupted(signal)
    }
  }

  deinit { trap?.remove() }

  /// Store failures so far.
  var problems: [String] { lock.withLock { problemList } }

  func addProblem(_ problem: String) { lock.withLock { problemList.append(problem) } }

  /// Forgets the store after a failure (e.g. the sweep row cannot be written).
  func dropStore(_ problem: String) {
    addProblem(problem)
    store = nil
  }

  /// A recorder into the store for the next run (nil without a store); a signal marks it
  /// killed until `finished(_:)`.
  func makeRecorder(sweepID: String? = nil, sweepPoint: Int? = nil, rerunOf: String? = nil) -> StoreRecorder? {
    guard let store else { return nil }
    let recorder = StoreRecorder(store: store, sweepID: sweepID, sweepPoint: sweepPoint, rerunOf: rerunOf)
    lock.withLock { active.append(recorder) }
    return recorder
  }

  /// The observers of a run: the display and, with a store, a fresh recorder.
  func observers(sweepID: String? = nil, sweepPoint: Int? = nil, rerunOf: String? = nil) -> [any RunObserver] {
    [display] + (makeRecorder(sweepID: sweepID, sweepPoint: sweepPoint, rerunOf: rerunOf).map { [$0] } ?? [])
  }

  /// Collects the problems of the recorders whose runs ended.
  func finishRecorders() {
    lock.withLock {
      for recorder in active { problemList += recorder.problems }
      active = []
    }
  }

  /// Runs `handler` too when a signal stops the process (a sweep marking its folder).
  func onInterrupt(_ handler: @escaping @Sendable (Int32) -> Void) {
    lock.withLock { interruptHandlers.append(handler) }
  }

  private func interrupted(_ signal: Int32) {
    let (recorders, handlers) = lock.withLock { (active, interruptHandlers) }
    for recorder in recorders { recorder.markKilled() }
    for handler in handlers { handler(signal) }
  }

  /// Ends the display; prints `error` and exits with status 1.
  func fail(_ error: some CustomStringConvertible) -> ExitCode {
    display.finish()
    Console.error("error: \(error.description)")
    return ExitCode(1)
  }

  /// Reports store problems (the results are complete in `directory`); exit status 1
  /// when there are any.
  func reportProblems(directory: String) throws {
    finishRecorders()
    let problems = problems
    guard !problems.isEmpty else { return }
    for problem in problems { Console.error("error: run store: \(problem)") }
    Console.error("The results are complete in \(directory); only the store record is incomplete.")
    throw ExitCode(1)
  }
}
