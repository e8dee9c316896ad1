import Foundation
import Testing

@testable import SiamStore

@Suite struct RunStoreSweepsTests {
  /// A shard with one finished run of point `point` of sweep `sweep`, its metrics and
  /// artifacts, and its sweep-point row.
  private func makeShard(_ path: String, sweep: String, point: Int, run: String) throws {
    let shard = try RunStore.open(path: path)
    try shard.createSweep(id: sweep, pipeline: "tiny", axesJSON: "[]")
    try StoreFixture.begin(shard, id: run, temperature: 0.1 * Double(point + 1))
    try shard.attach(run: run, toSweep: sweep, point: point)
    var stage = StageRunRecord(
      run: run, stage: "pretrain", position: 1, kind: "pretrain", fingerprint: StoreFixture.fingerprint(2),
      status: .completed, seconds: 1)
    stage.finishedAt = Timestamp.string()
    let metrics = [0.9, 0.5, .nan].enumerated().map {
      MetricRecord(run: run, stage: "pretrain", key: "loss", step: $0.offset, epoch: $0.offset, value: $0.element)
    }
    let artifact = ArtifactRecord(
      run: run, stage: "pretrain", name: "encoder.safetensors", path: "stages/pretrain/encoder.safetensors",
      bytes: 3, sha256: StoreFixture.fingerprint(7))
    try shard.recordStage(stage, metrics: metrics, artifacts: [artifact])
    try shard.finishRun(id: run, status: .finished, seconds: 2)
    try shard.recordSweepPoint(
      SweepPointRecord(
        sweepID: sweep, point: point, overridesJSON: #"["seed=\#(point)"]"#, status: .finished, runID: run,
        executor: "slurm", jobID: "42", arrayIndex: point, node: "node\(point)", queuedSeconds: 1.5, runSeconds: 2))
  }

  private func counts(_ store: RunStore) throws -> [Int] {
    try ["run", "stage_run", "param", "metric", "metric_summary", "artifact", "sweep", "sweep_point"].map { table in
      let result = try RunStore.query(path: store.path, sql: "SELECT count(*) FROM \(table)")
      guard case .integer(let count) = result.rows[0][0] else { return -1 }
      return Int(count)
    }
  }

  @Test func mergingCopiesEveryRowOnceAndTwiceChangesNothing() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    let main = try RunStore.open(path: fixture.path)
    try makeShard(fixture.folder + "/shard-0.sqlite", sweep: "sw", point: 0, run: "r0")
    try makeShard(fixture.folder + "/shard-1.sqlite", sweep: "sw", point: 1, run: "r1")

    let first = try main.mergeShard(at: fixture.folder + "/shard-0.sqlite")
    #expect(first.runs == ["r0"] && first.points == 1)
    try main.mergeShard(at: fixture.folder + "/shard-1.sqlite")
    let after = try counts(main)
    #expect(after == [2, 4, 6, 6, 2, 2, 1, 2])
    // Merging again changes nothing.
    let again = try main.mergeShard(at: fixture.folder + "/shard-0.sqlite")
    #expect(again.runs.isEmpty && again.points == 0)
    #expect(try counts(main) == after)

    // What was merged reads as if it had been recorded here.
    #expect(try main.runs(sweep: "sw").map(\.id).sorted() == ["r0", "r1"])
    let summary = try #require(try main.summaries(run: "r1").first)
    #expect(summary.count == 3 && summary.finiteCount == 2 && summary.min == 0.5 && summary.last.isNaN)
    let point = try #require(try main.sweepPoint(run: "r1"))
    #expect(point.node == "node1" && point.jobID == "42" && point.arrayIndex == 1 && point.queuedSeconds == 1.5)
    #expect(try main.sweepPoints(sweep: "sw").map(\.status) == [.finished, .finished])
  }

  @Test func aDamagedShardIsRefusedAndNothingIsCopied() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    let main = try RunStore.open(path: fixture.path)
    let path = fixture.folder + "/shard-0.sqlite"
    try makeShard(path, sweep: "sw", point: 0, run: "r0")
    // Cut the file in half: not a database any more.
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    try? FileManager.default.removeItem(atPath: path + "-wal")
    #expect(throws: StoreError.self) { try main.mergeShard(at: path) }
    #expect(try counts(main) == [0, 0, 0, 0, 0, 0, 0, 0])
    #expect(throws: StoreError.self) { try main.mergeShard(at: fixture.folder + "/missing.sqlite") }
  }

  @Test func aNewerPointRowReplacesAnOlderOne() throws {
    let store = try RunStore.inMemory()
    try store.createSweep(id: "sw", pipeline: "tiny", axesJSON: "[]")
    try store.recordSweepPoint(SweepPointRecord(sweepID: "sw", point: 0, status: .queued, executor: "local"))
    try store.recordSweepPoint(
      SweepPointRecord(sweepID: "sw", point: 0, status: .failed, executor: "local", error: "boom", logTail: "x"))
    let rows = try store.sweepPoints(sweep: "sw")
    #expect(rows.count == 1 && rows[0].status == .failed && rows[0].error == "boom")
  }
}

/// A store that cannot be written (a read-only file system) is still readable.
@Suite struct RunStoreReadOnlyTests {
  @Test func aStoreOpenedImmutableReadsAsItIsEvenWithAnOddPath() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    let folder = fixture.folder + "/read only?#%"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let path = folder + "/siam.sqlite"
    do {
      let store = try RunStore.open(path: path)
      try StoreFixture.begin(store, id: "r1")
      try store.finishRun(id: "r1", status: .finished)
    }
    #expect(RunStore.immutableURI(path).hasSuffix("?immutable=1"))
    #expect(RunStore.immutableURI(path).contains("read%20only%3F%23%25"))
    let readOnly = try RunStore.openReadOnly(path: path)
    #expect(try readOnly.runs().map(\.id) == ["r1"])
    #expect(throws: StoreError.self) { try readOnly.finishRun(id: "r1", status: .failed) }
  }
}
