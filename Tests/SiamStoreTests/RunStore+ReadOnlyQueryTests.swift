import Foundation
import SiamStore
import Testing

@Suite struct RunStoreReadOnlyQueryTests {
  /// A file store with two finished runs of `tiny` (temperatures 0.1 and 0.2, seeds 1
  /// and 2 each) and their final `knn_top1`.
  static func makeStore(_ fixture: StoreFixture) throws -> RunStore {
    let store = try RunStore.open(path: fixture.path)
    var index = 0
    for temperature in [0.1, 0.2] {
      for seed in [1, 2] {
        index += 1
        let id = "run-\(index)"
        try StoreFixture.begin(store, id: id, temperature: temperature, seed: seed)
        let stage = StageRunRecord(
          run: id, stage: "pretrain", position: 1, kind: "pretrain", fingerprint: StoreFixture.fingerprint(2),
          status: .completed)
        let accuracy = temperature * 2 + Double(seed) / 100
        try store.recordStage(
          stage,
          metrics: [MetricRecord(run: id, stage: "pretrain", key: "knn_top1", context: #"{"k":20}"#, value: accuracy)],
          artifacts: [])
        try store.finishRun(id: id, status: .finished)
      }
    }
    return store
  }

  @Test func answersWhichTemperatureWonAveragedOverSeeds() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try Self.makeStore(fixture)
    let result = try RunStore.query(
      path: fixture.path,
      sql: """
        SELECT m.value AS method, t.numeric AS temperature, avg(f.value) AS knn_top1, count(*) AS seeds
        FROM run r
        JOIN run_param m ON m.run = r.id AND m.key = 'stages.pretrain.method.type'
        JOIN run_param t ON t.run = r.id AND t.key = 'stages.pretrain.method.temperature'
        JOIN final_metric f ON f.run = r.id AND f.stage = 'pretrain' AND f.key = 'knn_top1'
        WHERE r.status = 'finished'
        GROUP BY method, temperature ORDER BY knn_top1 DESC
        """)
    #expect(result.columns == ["method", "temperature", "knn_top1", "seeds"])
    #expect(result.rows.count == 2)
    #expect(result.rows[0][0] == .text("simclr"))
    #expect(result.rows[0][1] == .real(0.2))
    #expect(result.rows[0][3] == .integer(2))
  }

  @Test func refusesWritesAndBadSQLWithClearErrors() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try Self.makeStore(fixture)
    for sql in [
      "DELETE FROM run", "UPDATE run SET seed = 9", "INSERT INTO sweep VALUES ('s', 'p', '{}', 'now')",
      "DROP TABLE run", "CREATE TABLE x (y)", "PRAGMA journal_mode = DELETE",
    ] {
      do {
        _ = try RunStore.query(path: fixture.path, sql: sql)
        Issue.record("expected \(sql) to be refused")
      } catch {
        #expect(error.code == .query, "\(sql): \(error)")
        #expect(error.description.contains("read-only"), "\(sql): \(error)")
      }
    }
    #expect(throws: StoreError.self) { try RunStore.query(path: fixture.path, sql: "SELECT 1; DELETE FROM run") }
    do {
      _ = try RunStore.query(path: fixture.path, sql: "SELEC * FROM run")
      Issue.record("expected a syntax error")
    } catch {
      #expect(error.code == .query && error.description.contains("syntax error"), "\(error)")
    }
    #expect(throws: StoreError.self) { try RunStore.query(path: fixture.folder + "/none.sqlite", sql: "SELECT 1") }
    // Nothing changed.
    let count = try RunStore.query(path: fixture.path, sql: "SELECT count(*) FROM run")
    #expect(count.rows == [[.integer(4)]])
  }

  @Test func bindsArguments() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try Self.makeStore(fixture)
    let result = try RunStore.query(path: fixture.path, sql: "SELECT id FROM run WHERE id = ?", arguments: ["run-2"])
    #expect(result.rows == [[.text("run-2")]])
  }
}

@Suite struct RunStoreBoundedQueryTests {
  @Test func anEndlessQueryIsStoppedAfterItsTimeout() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try RunStore.open(path: fixture.path)
    let start = Date()
    #expect {
      try RunStore.query(
        path: fixture.path,
        sql: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n",
        timeout: 0.5)
    } throws: { error in
      (error as? StoreError)?.message.contains("longer than 0.5 s") == true
    }
    #expect(Date().timeIntervalSince(start) < 60, "stopped, not left to run for ever")
  }

  @Test func aResultLargerThanMaxRowsIsRefused() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try RunStore.open(path: fixture.path)
    let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n LIMIT 50) SELECT i FROM n"
    #expect(try RunStore.query(path: fixture.path, sql: sql, maxRows: 50).rows.count == 50)
    #expect {
      try RunStore.query(path: fixture.path, sql: sql, maxRows: 49)
    } throws: { error in
      (error as? StoreError)?.message.contains("more than 49 rows") == true
    }
  }

  @Test func readingPragmasWorkAndWritingOnesAndSeveralStatementsAreRefusedInSiamsWords() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try RunStore.open(path: fixture.path)
    #expect(try RunStore.query(path: fixture.path, sql: "PRAGMA journal_mode").rows == [[.text("wal")]])
    #expect(try RunStore.query(path: fixture.path, sql: "PRAGMA table_info(sweep_point)").rows.count == 14)
    #expect(throws: StoreError.self) { try RunStore.query(path: fixture.path, sql: "PRAGMA journal_mode = DELETE") }
    #expect(try RunStore.query(path: fixture.path, sql: "PRAGMA journal_mode").rows == [[.text("wal")]])
    #expect {
      try RunStore.query(path: fixture.path, sql: "SELECT 1; SELECT 2")
    } throws: { error in
      let message = (error as? StoreError)?.message ?? ""
      return message.contains("one statement") && !message.contains("Database.execute")
    }
  }
}
