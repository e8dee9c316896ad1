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
  public var metrics: StageMetrics
  /// The cache entry folder, when the stage has one.
  public var entryDirectory: String?
  /// The failure, for `failed` and `skipped`.
  public var error: String?
  /// The files of the cache entry (path, size, SHA-256), for `cached` and `completed`.
  public var artifacts: [CacheManifest.File] = []

  public var isCacheHit: Bool { status == .cached }

  public var json: CanonicalJSON {
    [
      "name": .string(name), "kind": .string(kind), "fingerprint": .string(fingerprint),
      "cache_hit": .bool(isCacheHit), "status": .string(status.rawValue), "seconds": .number(seconds),
      "metrics": metrics.json,
      "artifacts": .array(
        artifacts.map { ["path": .string($0.path), "size": .number($0.size), "sha256": .string($0.sha256)] }),
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
  /// Where the run comes from (a sweep point, a rerun).
  public var origin = RunOrigin()

  /// Whether every stage is cached or completed.
  public var succeeded: Bool { stages.allSatisfy { $0.status == .cached || $0.status == .completed } }

  /// The first failure.
  public var firstFailure: StageResult? { stages.first { $0.status == .failed } }

  public var json: CanonicalJSON {
    [
      "run_id": .string(id), "directory": .string(directory), "pipeline": .string(plan.pipeline),
      "origin": origin.json,
      "succeeded": .bool(succeeded), "seconds": .number(seconds), "stages": .array(stages.map(\.json)),
    ]
  }
}

extension CanonicalJSON {
  /// A metric value: a number, or the string `nan`, `inf` or `-inf` (JSON has no
  /// representation for them; the run folder keeps them rather than dropping them).
  public static func metric(_ value: Double) -> CanonicalJSON {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    return .number(value)
  }

  /// The inverse of `metric(_:)`.
  public var metricValue: Double? {
    switch self {
    case .number(let x): x
    case .string("nan"): .nan
    case .string("inf"): .infinity
    case .string("-inf"): -.infinity
    default: nil
    }
  }
}
