import ArgumentParser
import Foundation
import SiamStore
import Testing
import _SiamTestSupport

@testable import siam

/// A tiny pipeline file (synthetic data, raw-pixel kNN and linear probe, a short
/// pretraining) in a fresh folder, run through the `siam` commands.
struct CLIFixture {
  static let yaml = TinyPipeline.yaml(
    name: "tiny-cli", epochs: 1, flip: false, stages: ["knn: {kind: knn, needs: [pretrain], k: [3, 5]}"])

  let folder: String

  init() throws {
    folder =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(Self.yaml.utf8).write(to: URL(fileURLWithPath: pipeline))
  }

  var pipeline: String { folder + "/tiny.yaml" }
  var root: String { folder + "/runs" }
  var store: String { root + "/siam.sqlite" }

  func remove() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// Parses and runs `arguments` in this process.
  func siam(_ arguments: [String]) throws {
    var command = try SiamCommand.parseAsRoot(arguments)
    try command.run()
  }

  /// `siam run` of the pipeline with `overrides`; returns the new run's id.
  @discardableResult
  func run(_ overrides: [String] = []) throws -> String {
    try siam(["run", pipeline, "--runs", root] + overrides.flatMap { ["--set", $0] })
    return try RunStore.open(path: store).runs(limit: 1)[0].id
  }

  /// The `siam` executable next to the test bundle.
  static var executable: String {
    let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
    return folder + "/siam"
  }

  /// Starts `siam arguments` in a child process (output discarded).
  func spawn(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }
}

@Suite struct StoreCommandTests {
  @Test func helpTextsDocumentTheStoreCommands() {
    let root = SiamCommand.helpMessage()
    for text in ["runs", "show", "compare", "query", "siam compare RUN RUN"] {
      #expect(root.contains(text), "missing \(text) in:\n\(root)")
    }
    for command in [RunsCommand.self, ShowCommand.self, CompareCommand.self, QueryCommand.self]
      as [any ParsableCommand.Type]
    {
      let help = SiamCommand.helpMessage(for: command)
      for option in ["--store", "--format", "Examples:"] {
        #expect(help.contains(option), "missing \(option) in:\n\(help)")
      }
    }
    #expect(SiamCommand.helpMessage(for: RunCommand.self).contains("--store"))
    #expect(SiamCommand.helpMessage(for: CompareCommand.self).contains("--group-by"))
    #expect(SiamCommand.helpMessage(for: QueryCommand.self).contains("read-only"))
    #expect(SiamCommand.helpMessage(for: RunsCommand.self).contains("--status"))
  }

  @Test func badArgumentsAreClearErrors() {
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["compare", "only-one"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["compare", "a", "b", "--sweep", "s"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["runs", "--status", "sleeping"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["runs", "--limit", "0"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["query", "SELECT 1", "--format", "xml"]) }
  }

  @Test func runRecordsAndTheReadCommandsShowIt() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let second = try fixture.run(["stages.pretrain.method.temperature=0.2"])
    let store = try RunStore.open(path: fixture.store)
    #expect(try store.run(matching: first).pipelinePath == fixture.pipeline)
    #expect(try store.run(matching: first).pipelineSHA256?.count == 64)
    // One environment: the run folder's environment.json and the store's row agree.
    let row = try store.run(matching: first)
    let folderJSON =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: try #require(row.directory) + "/environment.json")))
      as! [String: Any]
    #expect(folderJSON["host"] as? String == row.host)
    #expect(folderJSON["pipeline_sha256"] as? String == row.pipelineSHA256)
    #expect(folderJSON["git_commit"] as? String == row.gitCommit)
    #expect(folderJSON["blas_core_type"] as? String == row.blasCoreType)

    // show: every section.
    let shown = try ShowCommand.tables(store: store, run: try store.run(matching: second))
    #expect(shown.map(\.title) == ["run", "stages", "metrics", "artifacts", "parameters"])
    let text = OutputTable.render(shown, as: .table)
    for expected in ["knn_top1", "pretrain", "encoder.safetensors", "stages.pretrain.method.temperature", "0.2"] {
      #expect(text.contains(expected), "missing \(expected)")
    }

    // compare: only the parameter that differs (and the status row).
    let comparison = try RunComparison(
      store: store, runs: [try store.run(matching: first), try store.run(matching: second)])
    #expect(comparison.differingKeys() == ["stages.pretrain.method.temperature"])
    let tables = comparison.tables()
    #expect(tables[0].rows.map { $0[0] } == [.text("status"), .text("stages.pretrain.method.temperature")])
    #expect(tables[0].rows[1].dropFirst() == [.real(0.5), .real(0.2)])
    #expect(tables[1].rows.contains { $0[1] == .text("knn_top1") })

    // group-by a suffix of the key: one group per temperature.
    let grouped = try comparison.groupedTables(by: "method.temperature")
    #expect(grouped[0].rows.map { $0[0] } == [.text("0.5"), .text("0.2")])
    #expect(throws: StoreError.self) { try comparison.groupedTables(by: "no.such.key") }

    // The commands themselves, in every format; `show` takes the shortest prefix of the
    // second run's id that the first run's id does not share (both may start in the same second).
    let prefix = String(second.prefix(zip(first, second).prefix { $0 == $1 }.count + 1))
    for format in OutputFormat.allCases.map(\.rawValue) {
      try fixture.siam(["runs", "--store", fixture.store, "--format", format])
      try fixture.siam(["show", prefix, "--store", fixture.store, "--format", format])
      try fixture.siam(["compare", first, second, "--store", fixture.store, "--format", format])
      try fixture.siam(["query", "SELECT key, value FROM final_metric", "--store", fixture.store, "--format", format])
    }
    try fixture.siam(["compare", first, second, "--group-by", "seed", "--store", fixture.store])

    // A sweep of the two runs (as `siam sweep` records it).
    try store.createSweep(
      id: "sweep-1", pipeline: "tiny-cli", axesJSON: #"{"stages.pretrain.method.temperature":[0.5,0.2]}"#)
    try store.attach(run: first, toSweep: "sweep-1", point: 0)
    try store.attach(run: second, toSweep: "sweep-1", point: 1)
    #expect(try store.runs(sweep: "sweep-1").count == 2)
    try fixture.siam(["runs", "--sweep", "sweep-1", "--store", fixture.store])
    try fixture.siam(["compare", "--sweep", "sweep-1", "--group-by", "method.temperature", "--store", fixture.store])
    #expect(throws: ExitCode(1)) { try fixture.siam(["compare", "--sweep", "nope", "--store", fixture.store]) }

    // Errors: one line, exit status 1, no trap.
    for arguments in [
      ["show", "nope", "--store", fixture.store], ["query", "DELETE FROM run", "--store", fixture.store],
      ["query", "SELEC 1", "--store", fixture.store], ["runs", "--store", fixture.folder + "/missing.sqlite"],
      ["compare", first, "nope", "--store", fixture.store],
    ] {
      #expect(throws: ExitCode(1), "\(arguments)") { try fixture.siam(arguments) }
    }
    #expect(try store.runs().count == 2)
  }

  /// A store that cannot be opened is reported (exit status 1), and the run still runs
  /// and keeps its results in its folder.
  @Test func anUnopenableStoreDoesNotLoseTheRun() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    let file = fixture.folder + "/not-a-folder"
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    #expect(throws: ExitCode(1)) {
      try fixture.siam(["run", fixture.pipeline, "--runs", fixture.root, "--store", file + "/siam.sqlite"])
    }
    let runs = try FileManager.default.contentsOfDirectory(atPath: fixture.root).filter { $0.hasPrefix("20") }
    #expect(runs.count == 1)
    #expect(FileManager.default.fileExists(atPath: fixture.root + "/" + (runs.first ?? "") + "/result.json"))
  }

  @Test func outputFormats() {
    let table = OutputTable(
      columns: ["name", "value"],
      rows: [[.text("a,b"), .real(0.5)], [.text("q\"x"), .null], [.text("n"), .real(.nan)]])
    #expect(table.render(.csv) == "name,value\n\"a,b\",0.5\n\"q\"\"x\",\nn,nan")
    #expect(table.render(.markdown).hasPrefix("| name | value |\n| --- | --- |\n| a,b | 0.5 |"))
    let json = table.render(.json)
    #expect(json.contains(#"{"name": "q\"x", "value": null}"#))
    #expect(json.contains(#""value": "nan""#))
    #expect(table.render(.table).contains("a,b     0.5"), "numbers are right-aligned")
  }

  /// Several `siam run` processes write one store at once: no lost run, no lock error.
  @Test func concurrentProcessesRecordEveryRun() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    let processes = try (1...3).map { seed in
      try fixture.spawn([
        "run", fixture.pipeline, "--runs", fixture.folder + "/runs-\(seed)", "--store", fixture.store,
        "--set", "seed=\(seed)", "--threads", "1",
      ])
    }
    for process in processes { process.waitUntilExit() }
    #expect(processes.map(\.terminationStatus) == [0, 0, 0])
    let store = try RunStore.open(path: fixture.store)
    let runs = try store.runs()
    #expect(runs.count == 3 && runs.allSatisfy { $0.status == .finished })
    #expect(Set(runs.map(\.seed)) == [1, 2, 3])
    for run in runs {
      #expect(try store.stages(run: run.id).allSatisfy { $0.status == .completed })
      #expect(try store.summaries(run: run.id).contains { $0.key == "knn_top1" })
    }
  }

  /// SIGTERM marks the run killed; SIGKILL leaves it running until the next open of the
  /// store repairs it.
  @Test func killedRunsAreRecordedAsKilled() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    _ = try RunStore.open(path: fixture.store)
    for (index, signal) in [SIGTERM, SIGKILL].enumerated() {
      let process = try fixture.spawn([
        "run", fixture.pipeline, "--runs", fixture.root, "--set", "stages.pretrain.epochs=500", "--set",
        "seed=\(index)",
        "--threads", "1",
      ])
      defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
      try Self.waitUntilPretrainRuns(fixture.store, count: 1)
      kill(process.processIdentifier, signal)
      process.waitUntilExit()
      #expect(process.terminationStatus == (signal == SIGTERM ? 128 + SIGTERM : SIGKILL))
    }
    let store = try RunStore.open(path: fixture.store)  // repairs the SIGKILLed run
    let runs = try store.runs()
    #expect(runs.count == 2 && runs.allSatisfy { $0.status == .killed }, "\(runs.map(\.status))")
    for run in runs {
      let stages = Dictionary(uniqueKeysWithValues: try store.stages(run: run.id).map { ($0.stage, $0.status) })
      #expect(stages["pretrain"] == .killed && stages["knn"] == .killed)
      #expect(stages["data"] == .completed || stages["data"] == .cached)
    }
  }

  static func waitUntilPretrainRuns(_ store: String, count: Int) throws {
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline {
      let rows = try? RunStore.query(
        path: store, sql: "SELECT count(*) FROM stage_run WHERE stage = 'pretrain' AND status = 'running'")
      if rows?.rows == [[.integer(Int64(count))]] { return }
      Thread.sleep(forTimeInterval: 0.05)
    }
    Issue.record("pretraining did not start")
  }
}

@Suite struct SweepAndRerunRecordingTests {
  /// `siam sweep` records the sweep row and tags each point's run with it; `siam rerun`
  /// records a new run whose `rerun_of` is the original.
  @Test func sweepPointsAndReruns() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    try fixture.siam(["sweep", fixture.pipeline, "--runs", fixture.root, "--set", "stages.knn.k=3,5"])
    let store = try RunStore.open(path: fixture.store)
    let runs = try store.runs()
    #expect(runs.count == 2)
    let sweepID = try #require(runs.first?.sweepID)
    #expect(runs.allSatisfy { $0.sweepID == sweepID && $0.status == .finished })
    #expect(Set(runs.compactMap(\.sweepPoint)) == [0, 1])
    let sweep = try store.sweep(id: sweepID)
    #expect(sweep.pipeline == "tiny-cli")
    #expect(sweep.axesJSON.contains("stages.knn.k"))

    let original = try #require(runs.first { $0.sweepPoint == 0 })
    try fixture.siam(["rerun", original.id, "--runs", fixture.root, "--verify"])
    let rerun = try #require(try store.runs(limit: 1).first)
    #expect(rerun.id != original.id)
    #expect(rerun.rerunOf == original.id)
    #expect(rerun.sweepID == nil)
  }
}
