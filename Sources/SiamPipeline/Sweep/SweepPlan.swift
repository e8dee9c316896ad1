/// The plans of every point of a sweep, made before anything runs, and how many stages
/// the points share: stages with equal fingerprints (one `dataset` stage for all points;
/// one `pretrain` when only evaluation parameters vary) execute once.
public struct SweepPlan: Sendable, Hashable {
  /// One stage name across the points.
  public struct StageCount: Sendable, Hashable {
    public var name: String
    public var kind: String
    /// Points having the stage.
    public var points: Int
    /// Distinct fingerprints among them.
    public var distinct: Int
    /// Distinct fingerprints already in the cache.
    public var cached: Int
    /// Distinct fingerprints that will execute.
    public var toRun: Int
  }

  /// The plan of each point, in point order.
  public var points: [RunPlan]

  /// Stage names in the order they first appear (topological within a point).
  public var stageCounts: [StageCount] {
    var order: [String] = []
    var plans: [String: [StagePlan]] = [:]
    for plan in points {
      for stage in plan.stages {
        if plans[stage.name] == nil { order.append(stage.name) }
        plans[stage.name, default: []].append(stage)
      }
    }
    return order.map { name in
      let stages = plans[name]!
      let distinct = Dictionary(stages.map { ($0.fingerprint, $0) }, uniquingKeysWith: { first, _ in first })
      let toRun = distinct.values.filter { $0.reason.runs }.count
      return StageCount(
        name: name, kind: stages[0].kind, points: stages.count, distinct: distinct.count,
        cached: distinct.count - toRun, toRun: toRun)
    }
  }

  /// Stages over all points.
  public var totalStages: Int { points.reduce(0) { $0 + $1.stages.count } }

  /// Distinct fingerprints over all points (stages shared by several points count once).
  public var distinctStages: Int { Set(points.flatMap { $0.stages.map(\.fingerprint) }).count }

  /// Distinct fingerprints that will execute: the number of stage executions of the sweep.
  public var distinctToRun: Int { Set(points.flatMap { $0.stagesToRun.map(\.fingerprint) }).count }

  /// `8 points: 32 stages, 17 distinct (15 shared), 17 to run, 0 cached`.
  public var summary: String {
    let (total, distinct, toRun) = (totalStages, distinctStages, distinctToRun)
    return "\(points.count) point\(points.count == 1 ? "" : "s"): \(total) stages, \(distinct) distinct "
      + "(\(total - distinct) shared), \(toRun) to run, \(distinct - toRun) cached"
  }

  /// The columns of `tableRows`; all but the first two hold counts.
  public static let tableColumns = ["stage", "kind", "points", "distinct", "cached", "to run"]

  /// One row per stage name: how many points have it, distinct fingerprints, cached, to run.
  public var tableRows: [[String]] {
    stageCounts.map {
      [$0.name, $0.kind, String($0.points), String($0.distinct), String($0.cached), String($0.toRun)]
    }
  }

  public var json: CanonicalJSON {
    [
      "total_stages": .number(totalStages), "distinct_stages": .number(distinctStages),
      "distinct_to_run": .number(distinctToRun),
      "stages": .array(
        stageCounts.map {
          [
            "name": .string($0.name), "kind": .string($0.kind), "points": .number($0.points),
            "distinct": .number($0.distinct),
            "cached": .number($0.cached), "to_run": .number($0.toRun),
          ]
        }),
    ]
  }
}
