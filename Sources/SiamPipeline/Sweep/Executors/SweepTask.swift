import Foundation
import SiamStore

/// What one task of a `local` or `slurm` sweep does (`siam sweep task`): run one point
/// into its own store shard, or compute the stages the points share.
///
/// A point's task holds `points/<i>.lock` while it runs, so the same point never runs
/// twice at once (a second task for it returns `.alreadyRunning`); it records its run,
/// and its `sweep_point` row (executor, Slurm job and array index, node, queued and run
/// seconds), only in `shards/point-<i>.sqlite`: the coordinator merges the shard into the
/// main store. The task reports its state in `points/<i>.task.json`.
public final class SweepTask: @unchecked Sendable {
  public enum Outcome: Sendable, Hashable {
    case finished
    case failed(String)
    /// Another task holds the point's lock.
    case alreadyRunning(String)
  }

  public let workspace: SweepWorkspace
  /// Test seams (a kill in the middle of pretraining).
  public var hooks = RunHooks()

  private let state = NSLock()
  private var recorder: StoreRecorder?
  private var report: (path: String, report: SweepWorkspace.TaskReport)?

  public init(workspace: SweepWorkspace) {
    self.workspace = workspace
  }

  /// Records that a signal (SIGTERM from `scancel` or a time limit, SIGINT) stops the
  /// task: the run is marked killed in the shard and the task report says failed. Called
  /// from the signal trap, before the process exits.
  public func interrupt(signal: Int32) {
    let (recorder, current) = state.withLock { (self.recorder, self.report) }
    recorder?.markKilled()
    guard let (path, last) = current else { return }
    var report = last
    report.state = .failed
    report.finishedAt = Date().timeIntervalSince1970
    report.error = "stopped by signal \(signal)"
    workspace.write(report, to: path)
  }

  private func publish(_ report: SweepWorkspace.TaskReport, to path: String) {
    state.withLock { self.report = (path, report) }
    workspace.write(report, to: path)
  }

  /// The Slurm job of this process, from its environment: the array's job id and task id
  /// for an array task.
  static var slurmJob: (jobID: String, arrayIndex: Int?)? {
    let environment = ProcessInfo.processInfo.environment
    if let array = environment["SLURM_ARRAY_JOB_ID"], let task = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) {
      return (array, task)
    }
    return environment["SLURM_JOB_ID"].map { ($0, nil) }
  }

  /// Runs point `point`, recording into its shard.
  ///
  /// - Parameter observers: More observers of the run (a progress display).
  /// - Returns: How the point ended; a failed stage is `.failed`, not a thrown error.
  /// - Throws: `RunError` when the sweep folder or the point's pipeline cannot be read.
  public func runPoint(_ point: Int, observers: [any RunObserver] = []) throws(RunError) -> Outcome {
    let manifest = try workspace.readManifest()
    guard let entry = manifest.points.first(where: { $0.index == point }) else {
      throw RunError(.executor, "sweep \(manifest.sweepID) has no point \(point) (it has \(manifest.points.count))")
    }
    do {
      try FileDigest.createDirectory(workspace.path + "/shards")
    } catch {
      throw RunError(.cache, "cannot create \(workspace.path)/shards", cause: error)
    }
    guard let lock = FileLock.acquire(workspace.lockPath(point: point), waiting: false) else {
      let holder = workspace.readTask(point: point).map { "pid \($0.pid) on \($0.host)" } ?? "another task"
      return .alreadyRunning("point \(point + 1) is already running (\(holder))")
    }
    defer { lock.release() }
    let started = Date().timeIntervalSince1970
    let job = Self.slurmJob
    let executor = job == nil ? ExecutorSpec.Kind.local.rawValue : ExecutorSpec.Kind.slurm.rawValue
    var report = SweepWorkspace.TaskReport(
      state: .running, pid: getpid(), host: ProcessLiveness.hostName, jobID: job?.jobID ?? String(getpid()),
      arrayIndex: job?.arrayIndex, startedAt: started)
    publish(report, to: workspace.taskPath(point: point))
    let submitted = manifest.submission(of: point)?.0.submittedAt
    let overridesJSON = CanonicalJSON.array(entry.overrides.map(CanonicalJSON.string)).canonicalString
    var row = SweepPointRecord(
      sweepID: manifest.sweepID, point: point, overridesJSON: overridesJSON, status: .running, executor: executor,
      jobID: report.jobID, arrayIndex: report.arrayIndex, node: report.host,
      queuedSeconds: submitted.map { max(0, started - $0) })

    var problems: [String] = []
    var shard: RunStore?
    do {
      let store = try RunStore.open(path: workspace.shardPath(point: point))
      try store.createSweep(id: manifest.sweepID, pipeline: manifest.pipeline, axesJSON: manifest.axesJSON)
      try store.recordSweepPoint(row)
      shard = store
    } catch {
      problems.append(error.description)
    }
    let outcome: Outcome
    var runID: String?
    do {
      let spec = try loadSpec(point: point)
      var options = RunOptions(root: manifest.root, keepGoing: manifest.keepGoing)
      options.pipelineFile = manifest.pipelineFile
      options.origin = RunOrigin(sweepID: manifest.sweepID, sweepPoint: point, sweepOverrides: entry.overrides)
      options.hooks = hooks
      let recorder = shard.map { StoreRecorder(store: $0, sweepID: manifest.sweepID, sweepPoint: point) }
      state.withLock { self.recorder = recorder }
      let result = try PipelineRunner(options: options).run(spec, observers: observers + (recorder.map { [$0] } ?? []))
      runID = result.id
      problems += recorder?.problems ?? []
      if let failure = result.firstFailure {
        outcome = .failed("stage '\(failure.name)' failed: \(failure.error ?? "unknown error")")
      } else if !problems.isEmpty {
        outcome = .failed("run store shard: " + problems.joined(separator: "; "))
      } else {
        outcome = .finished
      }
    } catch {
      outcome = .failed(error.description)
    }
    let finished = Date().timeIntervalSince1970
    row.status = outcome == .finished ? .finished : .failed
    row.runID = runID
    row.runSeconds = finished - started
    if case .failed(let why) = outcome { row.error = why }
    row.updatedAt = Timestamp.string()
    try? shard?.recordSweepPoint(row)
    report.state = outcome == .finished ? .finished : .failed
    report.finishedAt = finished
    report.runID = runID
    if case .failed(let why) = outcome { report.error = why }
    publish(report, to: workspace.taskPath(point: point))
    return outcome
  }

  /// Computes the stages the points share (`executor.json`'s `shared`), each once, into
  /// the cache; its run folders go to `shared/` and nothing goes to a store (the points
  /// find the stages as cache hits and record them so).
  public func runShared(observers: [any RunObserver] = []) throws(RunError) -> Outcome {
    let manifest = try workspace.readManifest()
    let started = Date().timeIntervalSince1970
    let job = Self.slurmJob
    var report = SweepWorkspace.TaskReport(
      state: .running, pid: getpid(), host: ProcessLiveness.hostName, jobID: job?.jobID ?? String(getpid()),
      arrayIndex: nil, startedAt: started)
    publish(report, to: workspace.sharedTaskPath)
    var outcome = Outcome.finished
    for group in manifest.shared {
      do {
        let spec = try loadSpec(point: group.point)
        var options = RunOptions(root: manifest.root)
        options.runFolderParent = workspace.path + "/shared"
        options.onlyStages = Set(group.stages)
        options.pipelineFile = manifest.pipelineFile
        options.hooks = hooks
        let result = try PipelineRunner(options: options).run(spec, observers: observers)
        if let failure = result.stages.first(where: {
          group.stages.contains($0.name) && ($0.status == .failed || $0.status == .skipped)
        }) {
          outcome = .failed(
            "shared stage '\(failure.name)' (point \(group.point + 1)) failed: \(failure.error ?? "unknown error")")
          break
        }
      } catch {
        outcome = .failed(error.description)
        break
      }
    }
    report.state = outcome == .finished ? .finished : .failed
    report.finishedAt = Date().timeIntervalSince1970
    if case .failed(let why) = outcome { report.error = why }
    publish(report, to: workspace.sharedTaskPath)
    return outcome
  }

  private func loadSpec(point: Int) throws(RunError) -> PipelineSpec {
    let path = workspace.pipelinePath(point: point)
    do {
      return try PipelineLoader.load(path: path).spec
    } catch {
      throw RunError(.executor, "the pipeline of point \(point + 1) (\(path)) does not load", cause: error)
    }
  }
}
