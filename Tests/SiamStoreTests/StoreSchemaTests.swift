import Foundation
import SiamStore
import Testing

@Suite struct StoreSchemaTests {
  @Test func migratesAnEmptyFileAndAnInMemoryStore() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    let file = try RunStore.open(path: fixture.path)
    #expect(try file.appliedMigrations() == StoreSchema.migrator.migrations)
    #expect(try file.journalMode() == "wal")
    let memory = try RunStore.inMemory()
    #expect(try memory.appliedMigrations() == StoreSchema.migrator.migrations)
    // Opening again is a no-op.
    let again = try RunStore.open(path: fixture.path)
    #expect(try again.appliedMigrations() == StoreSchema.migrator.migrations)
  }

  /// From every earlier schema version: migrate a file up to each migration in turn,
  /// record a run with the columns of v1, then migrate fully; the run survives.
  @Test func migratesFromEveryEarlierVersion() throws {
    for version in StoreSchema.migrator.migrations {
      let fixture = StoreFixture()
      defer { fixture.remove() }
      try FileManager.default.createDirectory(atPath: fixture.folder, withIntermediateDirectories: true)
      try StoreTestDatabase.migrate(path: fixture.path, upTo: version)
      try StoreTestDatabase.execute(
        path: fixture.path,
        sql: """
          INSERT INTO run (id, pipeline, config_json, seed, status, started_at, finished_at, engine_version, host)
          VALUES ('old', 'tiny', '{}', 1, 'finished', '2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z', '0.0.1', 'h')
          """)
      let store = try RunStore.open(path: fixture.path)
      #expect(try store.appliedMigrations() == StoreSchema.migrator.migrations, "from \(version)")
      #expect(try store.run(matching: "old").status == .finished, "from \(version)")
    }
  }

  @Test func checksRejectInvalidRows() throws {
    let store = try RunStore.inMemory()
    let bad = RunRecord(id: "x", pipeline: "p", configJSON: "not json", seed: 1, engineVersion: "0")
    #expect(throws: StoreError.self) { try store.beginRun(bad, stages: [], params: []) }
    var finishedWithoutTime = RunRecord(id: "y", pipeline: "p", configJSON: "{}", seed: 1, engineVersion: "0")
    finishedWithoutTime.status = .finished
    #expect(throws: StoreError.self) { try store.beginRun(finishedWithoutTime, stages: [], params: []) }
    let orphanStage = StageRunRecord(
      run: "nope", stage: "s", position: 0, kind: "k", fingerprint: StoreFixture.fingerprint(1))
    #expect(throws: StoreError.self) { try store.updateStage(orphanStage) }
    #expect(try store.runs().isEmpty)
  }

  @Test func unreadableStorePathIsAClearError() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    try FileManager.default.createDirectory(atPath: fixture.folder, withIntermediateDirectories: true)
    try Data("this is not a database, just some text".utf8).write(to: URL(fileURLWithPath: fixture.path))
    do {
      _ = try RunStore.open(path: fixture.path)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains(fixture.path), "\(error)")
    }
    do {
      _ = try RunStore.open(path: fixture.folder + "/missing.sqlite", mustExist: true)
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .notFound)
      #expect(error.description.contains("siam run"))
    }
  }
}

@Suite struct TimestampTests {
  @Test func formatsUTCWithMillisecondsAndParsesBack() {
    let date = Date(timeIntervalSince1970: 1_795_925_822.1234)
    #expect(Timestamp.string(date) == "2026-11-29T04:17:02.123Z")
    #expect(abs(Timestamp.date("2026-11-29T04:17:02.123Z")!.timeIntervalSince1970 - 1_795_925_822.123) < 1e-6)
    #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
  }
}
