import Foundation
import SiamPipeline
import SiamStore
import Testing

@testable import SiamReport

@Suite struct ReproduceCommandsTests {
  /// A run of `ReportStoreFixture.yaml` with `overrides`, its file written to `file`.
  static func run(file: String?, overrides: [String], directory: String? = nil) throws -> ReportRun {
    let spec = try PipelineLoader.load(yaml: ReportStoreFixture.yaml, overrides: overrides).spec
    let record = RunRecord(
      id: "20261129-041702-ab12", pipeline: spec.name, pipelinePath: file, configJSON: spec.resolved.canonicalString,
      seed: spec.seed, engineVersion: "0.1.0")
    return ReportRun(
      record: record, stages: [], params: spec.flattenedParameters.mapValues(\.canonicalString), metrics: [],
      artifacts: [],
      directory: directory, spec: spec, specProblem: nil, origin: RunOrigin(), label: record.id)
  }

  @Test func namesTheOverridesThatTurnTheFileIntoTheRun() throws {
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("siam-reproduce-\(getpid()).yaml").path
    defer { try? FileManager.default.removeItem(atPath: file) }
    try Data(ReportStoreFixture.yaml.utf8).write(to: URL(fileURLWithPath: file))
    let run = try Self.run(
      file: file, overrides: ["stages.knn.k=7", "+stages.extra={kind: knn, needs: [data], k: 2}"],
      directory: "runs/20261129-041702-ab12")
    let commands = ReproduceCommands(run: run, runsRoot: "runs")
    #expect(commands.note == nil)
    #expect(
      commands.commands == [
        "siam rerun 20261129-041702-ab12 --verify",
        "siam run \(file) --set '+stages.extra={\"k\":2,\"kind\":\"knn\",\"needs\":[\"data\"],\"temperature\":0.1}' --set stages.knn.k=7",
        "siam run runs/20261129-041702-ab12/pipeline.resolved.json",
      ])
    let unchanged = ReproduceCommands(run: try Self.run(file: file, overrides: []), runsRoot: "elsewhere")
    #expect(
      unchanged.commands == [
        "siam rerun 20261129-041702-ab12 --verify --runs elsewhere", "siam run \(file) --runs elsewhere",
      ])
    // A store outside the runs folder is named; the run folder's parent is the runs folder.
    let elsewhere = ReproduceCommands(
      run: try Self.run(file: file, overrides: [], directory: "runs/20261129-041702-ab12"), runsRoot: "/tmp/exp",
      storePath: "/tmp/exp/store.sqlite")
    #expect(
      elsewhere.commands == [
        "siam rerun 20261129-041702-ab12 --verify --store /tmp/exp/store.sqlite",
        "siam run \(file) --store /tmp/exp/store.sqlite",
        "siam run runs/20261129-041702-ab12/pipeline.resolved.json --store /tmp/exp/store.sqlite",
      ])
    let defaultStore = ReproduceCommands(
      run: try Self.run(file: file, overrides: [], directory: "runs/20261129-041702-ab12"), runsRoot: "runs",
      storePath: "runs/siam.sqlite")
    #expect(defaultStore.commands.allSatisfy { !$0.contains("--store") && !$0.contains("--runs") })
  }

  @Test func saysWhyThereIsNoRunForm() throws {
    let missing = ReproduceCommands(run: try Self.run(file: "/nonexistent/p.yaml", overrides: []), runsRoot: "runs")
    #expect(missing.commands.count == 1 && missing.note?.contains("not on this machine") == true)
    #expect(ReproduceCommands.quoted("a b'c") == #"'a b'\''c'"#)
    #expect(ReproduceCommands.quoted("stages.knn.k=3") == "stages.knn.k=3")
  }
}
