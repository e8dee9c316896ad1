import Foundation
import SiamStore

/// Runs a sweep's points as separate tasks (`local` child processes or `slurm` job
/// arrays) through one path: plan every point, write the sweep folder (one resolved
/// pipeline per point), run the stages the points share first (one task), then the
/// points, each into its own store shard; merge finished shards into the main store
/// exactly once. The library entry point of `siam sweep --executor local|slurm`,
/// `siam sweep status` and `siam sweep cancel`.
///
/// The same sweep submitted again (same points, same fingerprints) finds its folder and
/// submits only the points without a finished record; a coordinator lock on the folder
/// makes two submissions at once submit each point once.
public final class SweepCoordinator: @unchecked Sendable {
  /// How the coordinator runs.
  public struct Settings: Sendable {
    /// The runs folder (cache, run folders, sweeps).
    public var root: String
    /// The main run store.
    public var storePath: String
    public var executor: ExecutorSpec
    /// The `siam` binary the tasks run (on the file system the nodes share).
    public var executable: String
    /// Engine threads of each local task; nil: cores / max_parallel.
    public var threads: Int?
    public var failFast = false
    public var keepGoing = false
    /// Seconds between two looks at the tasks while waiting.
    public var pollInterval: Double = 1
    /// Points per Slurm array; nil: the cluster's `MaxArraySize` (a test seam).
    public var maxArraySize: Int?

    public init(root: String, storePath: String, executor: ExecutorSpec, executable: String) {
      self.root = root
      self.storePath = storePath
      self.executor = executor
      self.executable = executable
    }
  }

  /// One point as the coordinator sees it.
  public struct PointStatus: Sendable, Hashable {
    public var index: Int
    public var overrides: [String]
    public var status: SweepPointRecord.Status
    /// `4242_3` for a Slurm array task, the pid of a local task.
    public var job: String?
    public var node: String?
    public var queuedSeconds: Double?
    public var runSeconds: Double?
    public var runID: String?
    public var error: String?
  }

  public let settings: Settings
  public let workspace: SweepWorkspace
  let store: RunStore
  private let launcher: any TaskLauncher
  private var manifest: SweepWorkspace.Manifest

  private init(settings: Settings, workspace: SweepWorkspace, manifest: SweepWorkspace.Manifest, store: RunStore) {
    self.settings = settings
    self.workspace = workspace
    self.manifest = manifest
    self.store = store
    launcher = Self.makeLauncher(settings: settings, executor: manifest.executor, workspace: workspace)
  }

  static func makeLauncher(settings: Settings, executor: ExecutorSpec, workspace: SweepWorkspace) -> any TaskLauncher {
    switch executor.type {
    case .slurm:
      return SlurmLauncher(
        workspace: workspace, executable: settings.executable, executor: executor, maxArraySize: settings.maxArraySize)
    case .local, .inProcess:
      let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
      let perTask = executor.cpusPerTask ?? 1
      let parallel = executor.maxParallel ?? max(1, cores / perTask)
      let threads = settings.threads ?? executor.cpusPerTask ?? max(1, cores / parallel)
      return LocalLauncher(
        workspace: workspace, executable: settings.executable, maxParallel: parallel, threadsPerTask: threads,
        sharedThreads: settings.threads ?? cores)
    }
  }

  public var id: String { workspace.id }

  // MARK: - Submitting

  /// Plans `sweep`, finds or creates its folder, and submits what has no finished record:
  /// the shared stages first (when some must run), then the points.
  ///
  /// - Returns: The coordinator of the sweep and the points it submitted now.
  /// - Throws: `RunError` when a point cannot be planned, the folder cannot be written,
  ///   or the executor refuses (no `sbatch`, Slurm's own message).
  public static func submit(
    _ sweep: Sweep, plan: SweepPlan, settings: Settings
  ) throws(RunError) -> (coordinator: SweepCoordinator, submitted: [Int]) {
    let store: RunStore
    do {
      store = try RunStore.open(path: settings.storePath)
    } catch {
      throw RunError(.executor, "cannot open the run store", cause: error)
    }
    let points = sweep.points.map { SweepWorkspace.Manifest.Point(index: $0.index, overrides: $0.overrides) }
    let key = SweepWorkspace.key(pipeline: sweep.pipeline, points: points, plan: plan)
    // Absolute paths: the tasks' batch scripts run wherever the cluster starts them.
    let (workspace, found) = try findOrCreate(key: key, root: absolute(settings.root), sweep: sweep, plan: plan) {
      workspace in
      SweepWorkspace.Manifest(
        sweepID: workspace.id, key: key, pipeline: sweep.pipeline, pipelineFile: sweep.file,
        root: absolute(settings.root), store: absolute(settings.storePath),
        executorJSON: settings.executor.json.canonicalString,
        axesJSON: CanonicalJSON.array(sweep.axes.map(\.json)).canonicalString, points: points, shared: [],
        submissions: [], keepGoing: settings.keepGoing, created: FileDigest.timestamp())
    }
    let coordinatorLock = try lockCoordinator(workspace)
    defer { coordinatorLock.release() }
    var manifest = (try? workspace.readManifest()) ?? found
    manifest.executorJSON = settings.executor.json.canonicalString
    manifest.keepGoing = settings.keepGoing
    manifest.shared = sharedStages(plan)
    try workspace.write(manifest)
    do {
      try store.createSweep(id: workspace.id, pipeline: sweep.pipeline, axesJSON: manifest.axesJSON)
    } catch {
      throw RunError(.executor, "cannot record sweep \(workspace.id)", cause: error)
    }
    let coordinator = SweepCoordinator(settings: settings, workspace: workspace, manifest: manifest, store: store)
    let submitted = try coordinator.submitOpenPoints()
    return (coordinator, submitted)
  }

  /// The coordinator of an existing sweep folder (`siam sweep status`, `cancel`).
  public static func attach(id: String, settings: Settings) throws(RunError) -> SweepCoordinator {
    let workspace = SweepWorkspace(root: absolute(settings.root), id: id)
    guard workspace.exists else {
      throw RunError(
        .executor,
        "no sweep \(id) of the local or Slurm executor under \(settings.root)/sweeps (in-process sweeps have no tasks to watch: see siam runs --sweep \(id))"
      )
    }
    let manifest = try workspace.readManifest()
    let store: RunStore
    do {
      store = try RunStore.open(path: settings.storePath)
    } catch {
      throw RunError(.executor, "cannot open the run store", cause: error)
    }
    var settings = settings
    settings.executor = manifest.executor
    return SweepCoordinator(settings: settings, workspace: workspace, manifest: manifest, store: store)
  }

  /// The newest sweep folder of the local or Slurm executor under `root`, if any.
  public static func latestID(root: String) -> String? {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/sweeps")) ?? []).sorted()
    return names.reversed().first { SweepWorkspace(root: root, id: $0).exists }
  }

  /// Submits the points that are neither finished nor queued nor running.
  private func submitOpenPoints() throws(RunError) -> [Int] {
    let statuses = refresh()
    let open = statuses.filter { [.pending, .failed, .cancelled, .skipped].contains($0.status) }.map(\.index)
    guard !open.isEmpty else { return [] }
    for point in open {
      try? FileManager.default.removeItem(atPath: workspace.taskPath(point: point))
      try? FileManager.default.removeItem(atPath: workspace.shardPath(point: point) + ".merged")
    }
    do {
      try FileDigest.createDirectory(workspace.path + "/logs")
    } catch {
      throw RunError(.executor, "cannot create \(workspace.path)/logs", cause: error)
    }
    var after: String?
    if !manifest.shared.isEmpty {
      try? FileManager.default.removeItem(atPath: workspace.sharedTaskPath)
      let shared = try launcher.submitShared(manifest)
      manifest.submissions.append(shared)
      after = shared.jobID
    }
    // Resubmitted points are no longer cancelled (written first: a local launcher reads it).
    manifest.cancelled.subtract(open)
    try workspace.write(manifest)
    let submissions = try launcher.submitPoints(open, after: after, manifest: manifest)
    manifest.submissions += submissions
    try workspace.write(manifest)
    record(
      submissions.flatMap { submission in
        submission.points.enumerated().map { index, point in
          let job = manifest.executor.type == .slurm ? submission.jobID : nil
          return RowChange(point: point, status: .queued, job: job, arrayIndex: job == nil ? nil : index)
        }
      })
    refresh()
    return open
  }

  // MARK: - Watching

  /// Looks at every point: merges the shards of tasks that ended (once), records points
  /// whose task ended without a result as failed (with the tail of its log), and rewrites
  /// `sweep.json`.
  ///
  /// - Returns: Every point's status, in point order.
  @discardableResult
  public func refresh() -> [PointStatus] {
    if let latest = try? workspace.readManifest() {
      manifest.submissions = latest.submissions
      manifest.cancelled = latest.cancelled
    }
    let live = launcher.states(manifest)
    let rows = Dictionary(
      ((try? store.sweepPoints(sweep: workspace.id)) ?? []).map { ($0.point, $0) }, uniquingKeysWith: { a, _ in a })
    var statuses: [PointStatus] = []
    for point in manifest.points {
      var row = rows[point.index]
      if row?.status != .finished, let report = workspace.readTask(point: point.index), report.state != .running {
        row = merge(point.index, report: report) ?? row
      }
      var status = PointStatus(
        index: point.index, overrides: point.overrides, status: row?.status ?? .pending, job: nil, node: row?.node,
        queuedSeconds: row?.queuedSeconds, runSeconds: row?.runSeconds, runID: row?.runID, error: row?.error)
      if let row, let job = row.jobID { status.job = row.arrayIndex.map { "\(job)_\($0)" } ?? job }
      if status.status.isFinal {
        statuses.append(status)
        continue
      }
      let submitted = manifest.submission(of: point.index)
      let liveState = live.points[point.index] ?? .unknown
      switch liveState {
      case .queued(let reason):
        status.status = .queued
        if reason == "DependencyNeverSatisfied" {
          _ = try? launcher.cancel([point.index], manifest: manifest)
          status.status = .failed
          status.error = "not run: the shared stages failed (see \(workspace.sharedLogPath))"
          record(
            point.index, status: .failed, error: status.error, logTail: SweepWorkspace.tail(of: workspace.sharedLogPath)
          )
        }
      case .running(let node):
        status.status = .running
        status.node = workspace.readTask(point: point.index)?.host ?? node
      case .ended, .unknown:
        guard let submitted else {
          if manifest.cancelled.contains(point.index) { status.status = .cancelled }
          break
        }
        // The task is over (or the executor forgot it) and left no final report (a final
        // one was merged above, after the executor was asked): it failed, unless it still
        // holds its point or the executor has not shown it yet.
        if FileLock.isHeld(workspace.lockPath(point: point.index)) {
          status.status = .running
        } else if liveState == .unknown, Date().timeIntervalSince1970 - submitted.0.submittedAt < 30 {
          status.status = .queued
        } else if manifest.cancelled.contains(point.index) {
          status.status = .cancelled
          record(point.index, status: .cancelled, error: "cancelled by siam sweep cancel")
        } else {
          status.status = .failed
          var how = "no longer known to the executor"
          if case .ended(let state, let code) = liveState {
            how = state + (code.map { " with exit status \($0)" } ?? "")
          }
          status.error = "the task ended without a result (\(how)); see \(workspace.logPath(point: point.index))"
          // What failed before the task started (a setup line) is in Slurm's own output file.
          let slurmOutput = "\(workspace.path)/logs/slurm-\(submitted.0.jobID)_\(submitted.1).out"
          record(
            point.index, status: .failed, error: status.error,
            logTail: SweepWorkspace.tail(of: workspace.logPath(point: point.index))
              ?? SweepWorkspace.tail(of: slurmOutput))
        }
      }
      statuses.append(status)
    }
    writeSweepFile(statuses)
    return statuses
  }

  /// Waits until every point has ended, calling `onChange` with the statuses whenever one
  /// changes; with `failFast`, the first failed point cancels the others.
  public func wait(onChange: ([PointStatus]) -> Void = { _ in }) -> [PointStatus] {
    var last: [PointStatus] = []
    while true {
      var statuses = refresh()
      if settings.failFast, statuses.contains(where: { $0.status == .failed }) {
        let open = statuses.filter { !$0.status.isFinal }.map(\.index)
        if !open.isEmpty {
          _ = try? launcher.cancel(open, manifest: manifest)
          record(
            open.map { RowChange(point: $0, status: .skipped, error: "not run: an earlier point failed (--fail-fast)") }
          )
          statuses = refresh()
        }
      }
      if statuses != last { onChange(statuses) }
      last = statuses
      if statuses.allSatisfy({ $0.status.isFinal }) { return statuses }
      Thread.sleep(forTimeInterval: settings.pollInterval)
    }
  }

  /// Cancels every point that is queued or running (and the shared task).
  ///
  /// - Returns: The points cancelled.
  public func cancel() throws(RunError) -> [Int] {
    let lock = try Self.lockCoordinator(workspace)
    defer { lock.release() }
    let open = refresh().filter { !$0.status.isFinal }.map(\.index)
    guard !open.isEmpty else { return [] }
    manifest.cancelled.formUnion(open)
    try workspace.write(manifest)
    _ = try launcher.cancel(open, manifest: manifest)
    record(open.map { RowChange(point: $0, status: .cancelled, error: "cancelled by siam sweep cancel") })
    refresh()
    return open
  }

  /// Whether the tasks go on when this process ends (Slurm) or end with it (local).
  public var tasksOutliveCoordinator: Bool { launcher.outlivesCoordinator }

  // MARK: - Helpers

  /// Merges point `point`'s shard once per task report; a damaged shard fails the point.
  private func merge(_ point: Int, report: SweepWorkspace.TaskReport) -> SweepPointRecord? {
    let marker = workspace.shardPath(point: point) + ".merged"
    let stamp = String(report.finishedAt ?? report.startedAt)
    let rows = { () -> SweepPointRecord? in (try? self.store.sweepPoint(sweep: self.workspace.id, point: point)) ?? nil
    }
    if (try? String(contentsOfFile: marker, encoding: .utf8)) == stamp { return rows() }
    do {
      try store.mergeShard(at: workspace.shardPath(point: point))
      try? FileDigest.writeAtomically(Data(stamp.utf8), to: marker)
    } catch {
      record(
        point, status: .failed, error: "its store shard cannot be merged: \(error.description)",
        logTail: SweepWorkspace.tail(of: workspace.logPath(point: point)))
      try? FileDigest.writeAtomically(Data(stamp.utf8), to: marker)
      return rows()
    }
    var row = rows()
    if manifest.cancelled.contains(point), row?.status != .finished {
      record(point, status: .cancelled, error: "cancelled by siam sweep cancel")
      row = rows()
    } else if report.state == .failed, row == nil || row?.status == .running || row?.logTail == nil {
      record(
        point, status: .failed, error: row?.error ?? report.error,
        logTail: SweepWorkspace.tail(of: workspace.logPath(point: point)))
      row = rows()
    }
    return row
  }

  /// What changes in one point's row.
  private struct RowChange {
    var point: Int
    var status: SweepPointRecord.Status
    var job: String? = nil
    var arrayIndex: Int? = nil
    var error: String? = nil
    var logTail: String? = nil
  }

  /// Writes point `point`'s row into the main store (keeping what the row already says
  /// about where it ran).
  private func record(
    _ point: Int, status: SweepPointRecord.Status, job: String? = nil, arrayIndex: Int? = nil, error: String? = nil,
    logTail: String? = nil
  ) {
    record([RowChange(point: point, status: status, job: job, arrayIndex: arrayIndex, error: error, logTail: logTail)])
  }

  /// Writes the rows of several points in one transaction (a submission, a cancel).
  private func record(_ changes: [RowChange]) {
    guard !changes.isEmpty else { return }
    let existing = Dictionary(
      ((try? store.sweepPoints(sweep: workspace.id)) ?? []).map { ($0.point, $0) }, uniquingKeysWith: { a, _ in a })
    let overrides = Dictionary(manifest.points.map { ($0.index, $0.overrides) }, uniquingKeysWith: { a, _ in a })
    let now = Timestamp.string()
    let rows = changes.map { change -> SweepPointRecord in
      var row =
        existing[change.point]
        ?? SweepPointRecord(
          sweepID: workspace.id, point: change.point, status: change.status, executor: manifest.executor.type.rawValue)
      row.overridesJSON = CanonicalJSON.array((overrides[change.point] ?? []).map(CanonicalJSON.string)).canonicalString
      row.status = change.status
      row.executor = manifest.executor.type.rawValue
      if let job = change.job {
        row.jobID = job
        row.arrayIndex = change.arrayIndex
        row.runID = nil
        row.node = nil
      }
      if change.status == .queued {
        row.error = nil
        row.logTail = nil
      }
      if let error = change.error { row.error = error }
      if let logTail = change.logTail { row.logTail = logTail }
      row.updatedAt = now
      return row
    }
    try? store.recordSweepPoints(rows)
  }

  private func writeSweepFile(_ statuses: [PointStatus]) {
    let overall: String =
      statuses.allSatisfy { $0.status == .finished }
      ? "finished"
      : statuses.allSatisfy(\.status.isFinal) ? "failed" : "running"
    let document: CanonicalJSON = [
      "sweep_id": .string(workspace.id), "pipeline": .string(manifest.pipeline), "file": .string(manifest.pipelineFile),
      "executor": manifest.executor.json,
      "status": .string(overall), "created": .string(manifest.created),
      "points": .array(
        statuses.map {
          [
            "index": .number($0.index), "overrides": .array($0.overrides.map(CanonicalJSON.string)),
            "status": .string($0.status.rawValue), "run_id": $0.runID.map(CanonicalJSON.string) ?? .null,
            "job": $0.job.map(CanonicalJSON.string) ?? .null, "node": $0.node.map(CanonicalJSON.string) ?? .null,
            "error": $0.error.map(CanonicalJSON.string) ?? .null,
          ]
        }),
    ]
    try? FileDigest.writeAtomically(Data(document.prettyPrinted().utf8), to: workspace.sweepFilePath)
  }

  /// The stages the shared task computes: those that must run and appear in two points
  /// or more, each under the first point that has it.
  static func sharedStages(_ plan: SweepPlan) -> [SweepWorkspace.Manifest.SharedStages] {
    var count: [String: Int] = [:]
    for run in plan.points { for stage in run.stagesToRun { count[stage.fingerprint, default: 0] += 1 } }
    var assigned: Set<String> = []
    var groups: [SweepWorkspace.Manifest.SharedStages] = []
    for (index, run) in plan.points.enumerated() {
      let stages = run.stages.filter {
        count[$0.fingerprint, default: 0] >= 2 && assigned.insert($0.fingerprint).inserted
      }
      // Run the shared stages' cached inputs too, as cache hits, so that their entries are read.
      if !stages.isEmpty {
        var names = Set(stages.map(\.name))
        var frontier = stages.flatMap(\.inputs)
        while let input = frontier.popLast() {
          if names.insert(input).inserted { frontier += run[input]?.inputs ?? [] }
        }
        groups.append(.init(point: index, stages: run.stages.map(\.name).filter(names.contains)))
      }
    }
    return groups
  }

  /// Finds the folder of the sweep with `key`, or creates one with the manifest `make`
  /// gives, under a lock that makes two submissions at once agree on one folder.
  private static func findOrCreate(
    key: String, root: String, sweep: Sweep, plan: SweepPlan,
    make: (SweepWorkspace) -> SweepWorkspace.Manifest
  ) throws(RunError) -> (SweepWorkspace, SweepWorkspace.Manifest) {
    let sweeps = root + "/sweeps"
    do {
      try FileDigest.createDirectory(sweeps)
    } catch {
      throw RunError(.cache, "cannot create \(sweeps)", cause: error)
    }
    guard let lock = FileLock.acquire(sweeps + "/.create.lock", waiting: true) else {
      throw RunError(.cache, "cannot lock \(sweeps)/.create.lock")
    }
    defer { lock.release() }
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: sweeps)) ?? []).sorted().reversed() {
      let workspace = SweepWorkspace(root: root, id: name)
      if workspace.exists, let manifest = try? workspace.readManifest(), manifest.key == key {
        try writePipelines(sweep, into: workspace)
        return (workspace, manifest)
      }
    }
    let folder = try SweepFolder.create(root: root, sweep: sweep, plan: plan)
    let workspace = SweepWorkspace(id: folder.id, path: folder.path)
    try writePipelines(sweep, into: workspace)
    let manifest = make(workspace)
    try workspace.write(manifest)
    return (workspace, manifest)
  }

  private static func writePipelines(_ sweep: Sweep, into workspace: SweepWorkspace) throws(RunError) {
    do {
      try FileDigest.createDirectory(workspace.path + "/points")
      for point in sweep.points {
        try FileDigest.writeAtomically(
          Data(point.spec.resolved.prettyPrinted().utf8), to: workspace.pipelinePath(point: point.index))
      }
    } catch {
      throw RunError(.cache, "cannot write the points' pipelines into \(workspace.path)", cause: error)
    }
  }

  private static func lockCoordinator(_ workspace: SweepWorkspace) throws(RunError) -> FileLock {
    guard let lock = FileLock.acquire(workspace.coordinatorLockPath, waiting: true) else {
      throw RunError(.cache, "cannot lock \(workspace.coordinatorLockPath)")
    }
    return lock
  }

  static func absolute(_ path: String) -> String {
    path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
  }
}
