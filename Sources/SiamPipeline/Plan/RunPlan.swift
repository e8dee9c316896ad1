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

  /// A fixed-width table: stage, kind, fingerprint[0:12], reason.
  public func table() -> String {
    let rows = stages.map {
      [$0.name, $0.kind, String($0.fingerprint.prefix(12)),
       $0.reason.description + ($0.isResumable && $0.reason.runs ? "; resumes from a checkpoint" : "")]
    }
    return TextTable.render(header: ["stage", "kind", "fingerprint", "reason"], rows: rows)
  }
}

/// Plain text tables with left-aligned columns.
public enum TextTable {
  public static func render(header: [String], rows: [[String]]) -> String {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    func line(_ cells: [String]) -> String {
      cells.enumerated().map { index, cell in
        index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
      }.joined(separator: "  ")
    }
    return all.map(line).joined(separator: "\n")
  }
}
