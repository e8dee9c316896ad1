/// How one point of a sweep ended.
public struct SweepPointResult: Sendable {
  public enum Status: String, Sendable, Hashable {
    /// Not run yet.
    case pending
    /// Every stage is cached or completed.
    case finished
    /// A stage failed, or the run could not start; `error` says why.
    case failed
    /// Not run: an earlier point failed under `--fail-fast`.
    case skipped
  }

  public var index: Int
  public var assignments: [SweepAssignment]
  public var status: Status
  /// The point's run, once it ran.
  public var run: RunResult?
  public var error: String?

  init(point: SweepPoint, status: Status) {
    index = point.index
    assignments = point.assignments
    self.status = status
  }

  /// The assignments as `--set` arguments.
  public var overrides: [String] { assignments.map(\.text) }

  /// Stage name → final metrics, for stages with metrics.
  public var metrics: [String: StageMetrics] {
    Dictionary(
      (run?.stages ?? []).filter { !$0.metrics.isEmpty }.map { ($0.name, $0.metrics) }, uniquingKeysWith: { a, _ in a })
  }

  /// Stages this point executed (the others were cache hits, failed or skipped).
  public var executedStages: Int { run?.stages.filter { $0.status == .completed }.count ?? 0 }

  public var json: CanonicalJSON {
    [
      "index": .number(index),
      "overrides": .array(overrides.map(CanonicalJSON.string)),
      "assignments": .object(
        Dictionary(assignments.map { ($0.path, $0.value) }, uniquingKeysWith: { _, last in last })),
      "status": .string(status.rawValue),
      "run_id": run.map { .string($0.id) } ?? .null,
      "executed_stages": .number(executedStages),
      "cache_hits": .number(run?.stages.filter(\.isCacheHit).count ?? 0),
      "metrics": .object(metrics.mapValues(\.json)),
      "error": error.map(CanonicalJSON.string) ?? .null,
    ]
  }
}

/// The outcome of `SweepRunner.run`.
public struct SweepResult: Sendable {
  public enum Status: String, Sendable, Hashable {
    /// Points are running.
    case running
    /// Every point finished.
    case finished
    /// Some point failed; the others ran.
    case failed
    /// A point failed and `--fail-fast` stopped the sweep.
    case stopped
  }

  /// Time-based with a random suffix, as run ids.
  public var id: String
  /// `runs/sweeps/<id>`.
  public var directory: String
  public var plan: SweepPlan
  public var points: [SweepPointResult]
  public var status: Status
  public var seconds: Double

  public var succeeded: Bool { status == .finished }

  /// Stage executions over all points (each distinct fingerprint at most once).
  public var executedStages: Int { points.reduce(0) { $0 + $1.executedStages } }

  public var json: CanonicalJSON {
    [
      "sweep_id": .string(id), "directory": .string(directory), "status": .string(status.rawValue),
      "seconds": .number(seconds), "executed_stages": .number(executedStages), "plan": plan.json,
      "points": .array(points.map(\.json)),
    ]
  }
}
