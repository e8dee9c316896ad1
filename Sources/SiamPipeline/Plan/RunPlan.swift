/// The plan of a run: every stage in topological order with its fingerprint and reason.
/// A pure function of the spec, the options and the cache state (`Planner`).
public struct RunPlan: Sendable, Hashable {
  public var pipeline: String
  /// Stages in execution (topological) order.
  public var stages: [StagePlan]

  /// Stages that execute.
  public var stagesToRun: [StagePlan] { stages.filter { $0.reason.runs } }

  public subscript(name: String) -> StagePlan? { stages.first { $0.name == name } }

  /// `{pipeline, engine_version, stages: [...]}`.
  public var json: CanonicalJSON {
    [
      "pipeline": .string(pipeline),
      "engine_version": .string(Engine.version),
      "stages": .array(stages.map(\.json)),
    ]
  }

  /// The columns of `tableRows`.
  public static let tableColumns = ["stage", "kind", "fingerprint", "reason"]

  /// One row per stage: name, kind, fingerprint[0:12], reason (the CLI aligns them).
  public var tableRows: [[String]] {
    stages.map {
      [
        $0.name, $0.kind, String($0.fingerprint.prefix(12)),
        $0.reason.description + $0.resumeNote,
      ]
    }
  }
}
