import GRDB

extension RunStore {
  /// Runs, newest first.
  ///
  /// - Parameters:
  ///   - pipeline: Only runs of this pipeline name.
  ///   - sweep: Only runs of this sweep.
  ///   - status: Only runs with this status.
  ///   - limit: At most this many.
  public func runs(
    pipeline: String? = nil, sweep: String? = nil, status: RunRecord.Status? = nil, limit: Int? = nil
  ) throws(StoreError) -> [RunRecord] {
    try read("runs") { db in
      var request = RunRecord.all()
      if let pipeline { request = request.filter(RunRecord.CodingKeys.pipeline == pipeline) }
      if let sweep { request = request.filter(RunRecord.CodingKeys.sweepID == sweep) }
      if let status { request = request.filter(RunRecord.CodingKeys.status == status.rawValue) }
      request = request.order(RunRecord.CodingKeys.startedAt.desc, RunRecord.CodingKeys.id.desc)
      if let limit { request = request.limit(limit) }
      return try request.fetchAll(db)
    }
  }

  /// The run whose id is `idOrPrefix` or, failing that, the only one whose id starts
  /// with it.
  ///
  /// - Throws: `notFound` when none matches, `ambiguous` (naming some matches) when
  ///   several do.
  public func run(matching idOrPrefix: String) throws(StoreError) -> RunRecord {
    let matches = try read("run \(idOrPrefix)") { db -> [RunRecord] in
      if let exact = try RunRecord.fetchOne(db, key: idOrPrefix) { return [exact] }
      let pattern =
        idOrPrefix.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
      return try RunRecord.fetchAll(
        db, sql: "SELECT * FROM run WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6", arguments: [pattern])
    }
    guard !idOrPrefix.isEmpty, let first = matches.first else {
      throw StoreError(.notFound, "no run '\(idOrPrefix)' in the store \(path) (siam runs lists them)", path: path)
    }
    guard matches.count == 1 else {
      let names = matches.prefix(5).map(\.id).joined(separator: ", ")
      throw StoreError(
        .ambiguous,
        "'\(idOrPrefix)' matches several runs (\(names)\(matches.count > 5 ? ", ..." : "")): give more of the id",
        path: path)
    }
    return first
  }

  /// The stages of run `id` in execution order.
  public func stages(run id: String) throws(StoreError) -> [StageRunRecord] {
    try read("the stages of run \(id)") { db in
      try StageRunRecord.filter(StageRunRecord.CodingKeys.run == id).order(StageRunRecord.CodingKeys.position).fetchAll(
        db)
    }
  }

  /// The flattened parameters of run `id`, by key.
  public func params(run id: String) throws(StoreError) -> [ParamRecord] {
    try read("the parameters of run \(id)") { db in
      try ParamRecord.fetchAll(db, sql: "SELECT * FROM param WHERE run = ? ORDER BY key", arguments: [id])
    }
  }

  /// The metric summaries of run `id` (stage in execution order, then key and context).
  public func summaries(run id: String) throws(StoreError) -> [MetricSummaryRecord] {
    try read("the metric summaries of run \(id)") { db in
      try MetricSummaryRecord.fetchAll(
        db,
        sql: """
          SELECT s.* FROM metric_summary s JOIN stage_run r ON r.run = s.run AND r.stage = s.stage
          WHERE s.run = ? ORDER BY r.position, s.key, s.context
          """,
        arguments: [id])
    }
  }

  /// The summaries of several runs at once, by run id.
  public func summaries(runs ids: [String]) throws(StoreError) -> [String: [MetricSummaryRecord]] {
    var out: [String: [MetricSummaryRecord]] = [:]
    for id in ids { out[id] = try summaries(run: id) }
    return out
  }

  /// Every metric value of run `id`, optionally of one stage and key, by step.
  public func metrics(run id: String, stage: String? = nil, key: String? = nil) throws(StoreError) -> [MetricRecord] {
    try read("the metrics of run \(id)") { db in
      try MetricRecord.fetchAll(
        db,
        sql: """
          SELECT * FROM metric WHERE run = ? AND (? IS NULL OR stage = ?) AND (? IS NULL OR key = ?)
          ORDER BY stage, key, context, step, id
          """,
        arguments: [id, stage, stage, key, key])
    }
  }

  /// The artifacts of run `id`, by stage and name.
  public func artifacts(run id: String) throws(StoreError) -> [ArtifactRecord] {
    try read("the artifacts of run \(id)") { db in
      try ArtifactRecord.fetchAll(
        db,
        sql: """
          SELECT a.* FROM artifact a JOIN stage_run r ON r.run = a.run AND r.stage = a.stage
          WHERE a.run = ? ORDER BY r.position, a.name
          """,
        arguments: [id])
    }
  }

  /// The sweep `id`.
  ///
  /// - Throws: `notFound` when there is none.
  public func sweep(id: String) throws(StoreError) -> SweepRecord {
    let sweep = try read("sweep \(id)") { db in try SweepRecord.fetchOne(db, key: id) }
    guard let sweep else {
      throw StoreError(.notFound, "no sweep '\(id)' in the store \(path)", path: path)
    }
    return sweep
  }
}
