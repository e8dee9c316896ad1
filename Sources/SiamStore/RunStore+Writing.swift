import Foundation
import GRDB

extension RunStore {
  // MARK: - Runs

  /// Records the start of a run: its row, its planned stages (`pending`) and its
  /// flattened parameters, in one transaction.
  ///
  /// - Throws: `StoreError.write`, e.g. when the id exists or a check fails.
  public func beginRun(_ run: RunRecord, stages: [StageRunRecord], params: [ParamRecord]) throws(StoreError) {
    try write("record the start of run \(run.id)") { db in
      try run.insert(db)
      for stage in stages { try stage.insert(db) }
      for param in params { try param.insert(db) }
    }
  }

  /// Marks run `id` as ended with `status` (not `running`), now.
  public func finishRun(id: String, status: RunRecord.Status, seconds: Double? = nil) throws(StoreError) {
    precondition(status != .running, "finishRun needs an end status, got running")
    try write("record the end of run \(id)") { db in
      let now = Timestamp.string()
      try db.execute(
        sql:
          "UPDATE run SET status = ?, finished_at = ?, seconds = coalesce(?, seconds), heartbeat_at = ? WHERE id = ?",
        arguments: [status.rawValue, now, seconds, now, id])
      if status == .killed {
        try db.execute(
          sql:
            "UPDATE stage_run SET status = 'killed', finished_at = ? WHERE run = ? AND status IN ('pending', 'running')",
          arguments: [now, id])
      }
    }
  }

  /// Updates the heartbeat of a running run (the proof that its process is alive).
  public func heartbeat(run id: String) throws(StoreError) {
    try write("update the heartbeat of run \(id)") { db in
      try db.execute(
        sql: "UPDATE run SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
        arguments: [Timestamp.string(), id])
    }
  }

  /// Marks `running` runs whose process is gone as `killed`: on this host when their
  /// pid is not alive, on another host when their heartbeat is older than
  /// `staleAfter` seconds. Their unfinished stages become `killed` too.
  ///
  /// - Returns: The ids repaired.
  @discardableResult
  public func repairStaleRuns(staleAfter: TimeInterval = RunStore.staleHeartbeat) throws(StoreError) -> [String] {
    let host = ProcessLiveness.hostName
    return try write("repair the runs of killed processes") { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, host, pid, heartbeat_at, started_at FROM run WHERE status = 'running'")
      var repaired: [String] = []
      for row in rows {
        let id: String = row["id"]
        let runHost: String = row["host"]
        let pid: Int? = row["pid"]
        let heartbeat: String = row["heartbeat_at"] ?? row["started_at"]
        let isStale: Bool
        if runHost == host {
          isStale = pid.map { !ProcessLiveness.isAlive(pid: $0) } ?? true
        } else {
          let last = Timestamp.date(heartbeat) ?? .distantPast
          isStale = Date().timeIntervalSince(last) > staleAfter
        }
        guard isStale else { continue }
        try db.execute(
          sql: "UPDATE run SET status = 'killed', finished_at = ? WHERE id = ?", arguments: [heartbeat, id])
        try db.execute(
          sql: "UPDATE stage_run SET status = 'killed' WHERE run = ? AND status IN ('pending', 'running')",
          arguments: [id])
        repaired.append(id)
      }
      return repaired
    }
  }

  // MARK: - Stages, metrics, artifacts

  /// Writes a stage's row (insert or replace).
  public func updateStage(_ stage: StageRunRecord) throws(StoreError) {
    try write("record stage \(stage.stage) of run \(stage.run)") { db in try stage.save(db) }
  }

  /// Records a stage's end, its metrics and its artifacts in one transaction.
  ///
  /// - Complexity: One insert per metric; 10,000 metrics take tens of milliseconds.
  public func recordStage(
    _ stage: StageRunRecord, metrics: [MetricRecord], artifacts: [ArtifactRecord]
  ) throws(StoreError) {
    try write("record stage \(stage.stage) of run \(stage.run)") { db in
      try stage.save(db)
      try Self.insert(metrics, db)
      for artifact in artifacts { try artifact.save(db) }
      try db.execute(
        sql: "UPDATE run SET heartbeat_at = ? WHERE id = ? AND status = 'running'",
        arguments: [Timestamp.string(), stage.run])
    }
  }

  /// Appends metric values in one transaction; their summaries follow.
  public func appendMetrics(_ metrics: [MetricRecord]) throws(StoreError) {
    guard !metrics.isEmpty else { return }
    try write("record \(metrics.count) metric values") { db in try Self.insert(metrics, db) }
  }

  static func insert(_ metrics: [MetricRecord], _ db: Database) throws {
    let statement = try db.makeStatement(
      sql:
        "INSERT INTO metric (run, stage, key, context, step, epoch, value, special, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for metric in metrics {
      let (value, special) = MetricRecord.encode(metric.value)
      try statement.execute(arguments: [
        metric.run, metric.stage, metric.key, metric.context, metric.step, metric.epoch, value, special, metric.time,
      ])
    }
  }

  // MARK: - Sweeps

  /// Records a sweep (insert, or nothing when a sweep with `id` exists).
  ///
  /// - Parameter axesJSON: The sweep's axes as JSON text.
  public func createSweep(id: String, pipeline: String, axesJSON: String) throws(StoreError) {
    try write("record sweep \(id)") { db in
      try db.execute(
        sql: "INSERT INTO sweep (id, pipeline, axes_json, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
        arguments: [id, pipeline, axesJSON, Timestamp.string()])
    }
  }

  /// Makes run `id` point `point` of sweep `sweepID` (nil: of none).
  public func attach(run id: String, toSweep sweepID: String?, point: Int? = nil) throws(StoreError) {
    try write("attach run \(id) to sweep \(sweepID ?? "none")") { db in
      try db.execute(
        sql: "UPDATE run SET sweep_id = ?, sweep_point = ? WHERE id = ?", arguments: [sweepID, point, id])
      if db.changesCount == 0 { throw StoreError(.notFound, "no run \(id) in the store", path: path) }
    }
  }
}
