/// How one stage of a run ended.
public struct StageResult: Sendable, Hashable {
  public enum Status: String, Sendable, Hashable {
    /// Reused from the cache.
    case cached
    /// Executed and committed to the cache.
    case completed
    /// Threw; `error` says why.
    case failed
    /// Not run because an input failed (or the run stopped at an earlier failure).
    case skipped
  }

  public var name: String
  public var kind: String
  public var fingerprint: String
  public var status: Status
  /// Wall-clock seconds in this run (0 for cache hits).
  public var seconds: Double
  /// Final metrics (recorded ones for cache hits).
  public var metrics: [String: Double]
  /// The cache entry folder, when the stage has one.
  public var entryDirectory: String?
  /// The failure, for `failed` and `skipped`.
  public var error: String?

  public var isCacheHit: Bool { status == .cached }

  public var json: CanonicalJSON {
    [
      "name": .string(name), "kind": .string(kind), "fingerprint": .string(fingerprint),
      "cache_hit": .bool(isCacheHit), "status": .string(status.rawValue), "seconds": .number(seconds),
      "metrics": .object(metrics.filter { $0.value.isFinite }.mapValues { .number($0) }),
      "entry": entryDirectory.map(CanonicalJSON.string) ?? .null,
      "error": error.map(CanonicalJSON.string) ?? .null,
    ]
  }
}

/// The outcome of `PipelineRunner.run`.
public struct RunResult: Sendable, Hashable {
  /// Time-based with a random suffix (`20261129-031502-a3f9`).
  public var id: String
  /// `runs/<id>`.
  public var directory: String
  public var plan: RunPlan
  public var stages: [StageResult]
  public var seconds: Double

  /// Whether every stage is cached or completed.
  public var succeeded: Bool { stages.allSatisfy { $0.status == .cached || $0.status == .completed } }

  /// The first failure.
  public var firstFailure: StageResult? { stages.first { $0.status == .failed } }

  public var json: CanonicalJSON {
    [
      "run_id": .string(id), "directory": .string(directory), "pipeline": .string(plan.pipeline),
      "succeeded": .bool(succeeded), "seconds": .number(seconds), "stages": .array(stages.map(\.json)),
    ]
  }
}
