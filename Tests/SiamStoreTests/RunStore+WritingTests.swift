import Foundation
import SiamStore
import Testing

@Suite struct RunStoreWritingTests {
  @Test func recordsARunWithStagesParamsMetricsAndArtifacts() throws {
    let store = try RunStore.inMemory()
    try StoreFixture.begin(store, id: "20261129-000000-aaaa")
    var stage = StageRunRecord(
      run: "20261129-000000-aaaa", stage: "pretrain", position: 1, kind: "pretrain",
      fingerprint: StoreFixture.fingerprint(2), status: .completed, seconds: 1.5)
    stage.finishedAt = Timestamp.string()
    let metrics = [0.9, 0.7, 0.8].enumerated().map { step, value in
      MetricRecord(run: stage.run, stage: "pretrain", key: "loss", step: step * 10, epoch: step, value: value)
    }
    let artifact = ArtifactRecord(
      run: stage.run, stage: "pretrain", name: "encoder.safetensors", path: "stages/pretrain/encoder.safetensors",
      bytes: 12, sha256: StoreFixture.fingerprint(9))
    try store.recordStage(stage, metrics: metrics, artifacts: [artifact])
    try store.finishRun(id: stage.run, status: .finished, seconds: 2)

    let run = try store.run(matching: "20261129-000000")
    #expect(run.status == .finished && run.finishedAt != nil && run.seconds == 2)
    #expect(try store.stages(run: run.id).map(\.status) == [.pending, .completed])
    #expect(
      try store.params(run: run.id).map(\.key) == [
        "seed", "stages.pretrain.method.temperature", "stages.pretrain.method.type",
      ])
    #expect(try store.artifacts(run: run.id) == [artifact])
    #expect(try store.metrics(run: run.id, key: "loss").map(\.value) == [0.9, 0.7, 0.8])
  }

  @Test func summariesKeepFirstLastMinMaxWithTheirSteps() throws {
    let store = try RunStore.inMemory()
    try StoreFixture.begin(store, id: "r")
    // Out of step order, with NaN and ±inf mixed in.
    let values: [(Int, Double)] = [(2, 0.5), (0, .nan), (1, 0.2), (3, .infinity), (4, 0.9), (5, -.infinity), (6, 0.2)]
    try store.appendMetrics(
      values.map { MetricRecord(run: "r", stage: "pretrain", key: "loss", step: $0.0, value: $0.1) })
    let summary = try #require(try store.summaries(run: "r").first)
    #expect(summary.count == 7 && summary.finiteCount == 4)
    #expect(summary.firstStep == 0 && summary.first.isNaN)
    #expect(summary.lastStep == 6 && summary.last == 0.2)
    #expect(summary.min == 0.2 && summary.minStep == 1)
    #expect(summary.max == 0.9 && summary.maxStep == 4)

    // Every value reads back as written, NaN and infinities included.
    let stored = try store.metrics(run: "r").sorted { $0.step < $1.step }
    let expected = values.sorted { $0.0 < $1.0 }.map(\.1)
    #expect(zip(stored.map(\.value), expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })

    // A series of only non-finite values has no min or max.
    try store.appendMetrics([MetricRecord(run: "r", stage: "pretrain", key: "gap", value: .nan)])
    let gap = try #require(try store.summaries(run: "r").first { $0.key == "gap" })
    #expect(gap.finiteCount == 0 && gap.min == nil && gap.max == nil && gap.last.isNaN)
  }

  @Test func contextsSeparateSeries() throws {
    let store = try RunStore.inMemory()
    try StoreFixture.begin(store, id: "r")
    try store.appendMetrics([
      MetricRecord(run: "r", stage: "pretrain", key: "knn_top1", context: #"{"k":20}"#, value: 0.5),
      MetricRecord(run: "r", stage: "pretrain", key: "knn_top1", context: #"{"k":200}"#, value: 0.6),
    ])
    #expect(Set(try store.summaries(run: "r").map(\.context)) == [#"{"k":20}"#, #"{"k":200}"#])
  }

  @Test func stalePidRunsAreRepairedToKilled() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    let store = try RunStore.open(path: fixture.path)
    try StoreFixture.begin(store, id: "alive")
    try StoreFixture.begin(store, id: "dead", pid: Self.deadPID())
    try StoreFixture.begin(store, id: "elsewhere-fresh", pid: 1, host: "another-host")
    try StoreFixture.begin(store, id: "elsewhere-old", pid: 1, host: "another-host")
    try StoreTestDatabase.execute(
      path: fixture.path, sql: "UPDATE run SET heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE id = 'elsewhere-old'")
    let reopened = try RunStore.open(path: fixture.path)
    #expect(try reopened.run(matching: "alive").status == .running)
    #expect(try reopened.run(matching: "dead").status == .killed)
    #expect(try reopened.stages(run: "dead").allSatisfy { $0.status == .killed })
    #expect(try reopened.run(matching: "elsewhere-fresh").status == .running)
    #expect(try reopened.run(matching: "elsewhere-old").status == .killed)
  }

  @Test func finishingAsKilledMarksUnfinishedStages() throws {
    let store = try RunStore.inMemory()
    try StoreFixture.begin(store, id: "r")
    try store.updateStage(
      StageRunRecord(
        run: "r", stage: "data", position: 0, kind: "dataset", fingerprint: StoreFixture.fingerprint(1), status: .cached
      ))
    try store.finishRun(id: "r", status: .killed)
    #expect(try store.stages(run: "r").map(\.status) == [.cached, .killed])
    #expect(try store.run(matching: "r").status == .killed)
  }

  @Test func sweepsAndPrefixes() throws {
    let store = try RunStore.inMemory()
    try store.createSweep(id: "sw1", pipeline: "tiny", axesJSON: #"{"stages.pretrain.method.temperature":[0.1,0.2]}"#)
    try store.createSweep(id: "sw1", pipeline: "tiny", axesJSON: "{}")  // exists: kept
    try StoreFixture.begin(store, id: "20261129-010101-abcd")
    try StoreFixture.begin(store, id: "20261129-010101-abce")
    try store.attach(run: "20261129-010101-abcd", toSweep: "sw1", point: 1)
    #expect(try store.runs(sweep: "sw1").map(\.id) == ["20261129-010101-abcd"])
    #expect(try store.run(matching: "20261129-010101-abcd").sweepPoint == 1)
    #expect(try store.sweep(id: "sw1").axesJSON.contains("temperature"))
    #expect(throws: StoreError.self) { try store.attach(run: "nope", toSweep: "sw1") }
    #expect(throws: StoreError.self) { try store.attach(run: "20261129-010101-abcd", toSweep: "missing") }
    do {
      _ = try store.run(matching: "20261129-010101-abc")
      Issue.record("expected ambiguity")
    } catch {
      #expect(error.code == .ambiguous && error.description.contains("abcd"))
    }
    #expect(throws: StoreError.self) { try store.run(matching: "1999") }
    #expect(throws: StoreError.self) { try store.run(matching: "") }
    #expect(try store.run(matching: "20261129-010101-abce").id == "20261129-010101-abce")
    #expect(try store.runs(limit: 1).count == 1)
    #expect(try store.runs(status: .finished).isEmpty)
  }

  /// A pid no process has: a child that has exited and been reaped.
  static func deadPID() throws -> Int {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return Int(process.processIdentifier)
  }
}
