import Foundation
import GRDB

extension RunStore {
  // MARK: - Sweep points

  /// Writes the row of a sweep point (insert or replace); the sweep row must exist.
  public func recordSweepPoint(_ point: SweepPointRecord) throws(StoreError) {
    try write("record point \(point.point) of sweep \(point.sweepID)") { db in try point.save(db) }
  }

  /// Writes the rows of several sweep points in one transaction.
  public func recordSweepPoints(_ points: [SweepPointRecord]) throws(StoreError) {
    guard !points.isEmpty else { return }
    try write("record \(points.count) points of sweep \(points[0].sweepID)") { db in
      for point in points { try point.save(db) }
    }
  }

  /// The points of sweep `id` recorded so far, by point.
  public func sweepPoints(sweep id: String) throws(StoreError) -> [SweepPointRecord] {
    try read("the points of sweep \(id)") { db in
      try SweepPointRecord.filter(SweepPointRecord.CodingKeys.sweepID == id)
        .order(SweepPointRecord.CodingKeys.point).fetchAll(db)
    }
  }

  /// The row of point `point` of sweep `id`, if any.
  public func sweepPoint(sweep id: String, point: Int) throws(StoreError) -> SweepPointRecord? {
    try read("point \(point) of sweep \(id)") { db in
      try SweepPointRecord.fetchOne(db, key: ["sweep_id": id, "point": point])
    }
  }

  /// The sweep point whose latest run is `run`, if any.
  public func sweepPoint(run id: String) throws(StoreError) -> SweepPointRecord? {
    try read("the sweep point of run \(id)") { db in
      try SweepPointRecord.filter(SweepPointRecord.CodingKeys.runID == id).fetchOne(db)
    }
  }

  // MARK: - Shards

  /// What merging one shard did.
  public struct ShardMerge: Sendable, Hashable {
    /// Runs copied into this store (runs already here are left alone).
    public var runs: [String]
    /// Sweep-point rows written (a shard's row replaces an older one).
    public var points: Int
  }

  /// Copies the runs of a shard (a store written by one sweep task) into this store in one
  /// transaction: its sweeps, runs and their stages, parameters, metrics (summaries follow
  /// from the trigger) and artifacts, and its `sweep_point` rows when newer than ours.
  /// Runs this store already has are skipped, so merging twice changes nothing.
  ///
  /// - Parameter path: The shard's file; it is migrated to this schema first and its
  ///   `running` runs of dead processes are marked `killed`.
  /// - Returns: The runs copied.
  /// - Throws: `StoreError` when the shard cannot be opened, is not a sound SQLite
  ///   database of this schema, or the copy fails (nothing is copied then).
  @discardableResult
  public func mergeShard(at path: String) throws(StoreError) -> ShardMerge {
    precondition(path != self.path, "a store cannot merge itself: \(path)")
    let shard = try RunStore.open(path: path, mustExist: true)
    let integrity = try shard.read("the integrity of shard \(path)") { db in
      try String.fetchAll(db, sql: "PRAGMA integrity_check")
    }
    guard integrity == ["ok"] else {
      throw StoreError(
        .read, "the shard \(path) is damaged: \(integrity.prefix(3).joined(separator: "; "))", path: path)
    }
    guard try shard.appliedMigrations() == appliedMigrations() else {
      throw StoreError(.migration, "the shard \(path) has another schema version than \(self.path)", path: path)
    }
    do {
      return try queue.writeWithoutTransaction { db in
        try db.execute(sql: "ATTACH DATABASE ? AS shard", arguments: [path])
        defer { try? db.execute(sql: "DETACH DATABASE shard") }
        var merge = ShardMerge(runs: [], points: 0)
        try db.inTransaction(.immediate) {
          try db.execute(sql: "INSERT INTO main.sweep SELECT * FROM shard.sweep WHERE true ON CONFLICT (id) DO NOTHING")
          merge.runs = try String.fetchAll(
            db, sql: "SELECT id FROM shard.run WHERE id NOT IN (SELECT id FROM main.run) ORDER BY started_at, id")
          try db.execute(sql: "CREATE TEMP TABLE merging (id TEXT PRIMARY KEY)")
          let insert = try db.makeStatement(sql: "INSERT INTO temp.merging (id) VALUES (?)")
          for id in merge.runs { try insert.execute(arguments: [id]) }
          try db.execute(
            sql: """
              INSERT INTO main.run SELECT * FROM shard.run WHERE id IN (SELECT id FROM temp.merging) ORDER BY started_at, id;
              INSERT INTO main.stage_run SELECT * FROM shard.stage_run WHERE run IN (SELECT id FROM temp.merging);
              INSERT INTO main.param SELECT * FROM shard.param WHERE run IN (SELECT id FROM temp.merging);
              INSERT INTO main.metric (run, stage, key, context, step, epoch, value, special, time)
                SELECT run, stage, key, context, step, epoch, value, special, time FROM shard.metric
                WHERE run IN (SELECT id FROM temp.merging) ORDER BY id;
              INSERT INTO main.artifact SELECT * FROM shard.artifact WHERE run IN (SELECT id FROM temp.merging);
              DROP TABLE temp.merging;
              """)
          let before = db.totalChangesCount
          try db.execute(
            sql: """
              INSERT INTO main.sweep_point SELECT * FROM shard.sweep_point WHERE true
              ON CONFLICT (sweep_id, point) DO UPDATE SET
                overrides_json = excluded.overrides_json, status = excluded.status, run_id = excluded.run_id,
                executor = excluded.executor, job_id = excluded.job_id, array_index = excluded.array_index,
                node = excluded.node, queued_seconds = excluded.queued_seconds, run_seconds = excluded.run_seconds,
                error = excluded.error, log_tail = excluded.log_tail, updated_at = excluded.updated_at
              WHERE excluded.updated_at > sweep_point.updated_at
              """)
          merge.points = db.totalChangesCount - before
          return .commit
        }
        return merge
      }
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(
        .write, "cannot merge the shard \(path) into the run store \(self.path)", path: self.path, cause: error)
    }
  }
}
