import ArgumentParser
import Foundation
import SiamPipeline
import Testing

@testable import siam

@Suite struct RunCommandTests {
  @Test func rootHelpListsRunAndPlan() {
    let help = SiamCommand.helpMessage()
    for text in ["run", "plan", "siam run pipelines/quickstart.yaml", "siam plan pipelines/quickstart.yaml"] {
      #expect(help.contains(text), "missing \(text)")
    }
  }

  @Test func runHelpDocumentsItsOptions() {
    let help = SiamCommand.helpMessage(for: RunCommand.self)
    for option in [
      "--set", "--force", "--force-downstream", "--no-cache", "--dry-run", "--keep-going", "--json",
      "--threads", "--runs", "runs/<id>/", "siam run pipelines/quickstart.yaml --force knn",
    ] {
      #expect(help.contains(option), "missing \(option) in:\n\(help)")
    }
  }

  @Test func planHelpDocumentsReasonsAndOptions() {
    let help = SiamCommand.helpMessage(for: PlanCommand.self)
    for text in ["--json", "--force", "--set", "parameters changed", "inputs changed", "corrupt cache entry"] {
      #expect(help.contains(text), "missing \(text) in:\n\(help)")
    }
  }

  @Test func badArgumentsAreClearErrors() {
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["run"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["run", "x.yaml", "--threads", "0"]) }
  }

  @Test func aRunsProgressBecomesJSONLines() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    final class Output { var text = "" }
    let output = Output()
    let display = ProgressDisplay(
      renderer: ProgressRenderer(isTerminal: false, width: nil, isColored: false, format: .json),
      write: { output.text += $0 })
    let spec = try PipelineLoader.load(path: fixture.pipeline, overrides: []).spec
    let result = try PipelineRunner(options: RunOptions(root: fixture.root)).run(spec, observers: [display])
    #expect(result.succeeded)
    let events = try output.text.split(separator: "\n").map { line in
      try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
    }
    let names = events.map { $0["event"] as? String ?? "?" }
    #expect(names.first == "run_started" && names.last == "run_finished")
    #expect(names.filter { $0 == "stage_finished" }.count == 3)
    let progress = events.filter { $0["event"] as? String == "progress" && $0["stage"] as? String == "pretrain" }
    let last = try #require(progress.last, "pretraining reports progress")
    // 64 images in batches of 16: 4 steps in 1 epoch.
    #expect(last["epoch"] as? Int == 1 && last["step"] as? Int == 4 && last["steps"] as? Int == 4)
    #expect((last["loss"] as? Double)?.isFinite == true && (last["images_per_second"] as? Double ?? 0) > 0)
    #expect(events.contains { $0["event"] as? String == "epoch" && $0["stage"] as? String == "pretrain" })
  }

  @Test func headlineMetricsPreferAccuracies() {
    let text = RunCommand.headline(["linear_top1": 0.8123, "linear_top5": 0.99, "knn_top1": 0.75])
    #expect(text == "linear_top1 0.8123  knn_top1 0.75")
    #expect(RunCommand.headline(["train_count": 10000]) == "train_count 10000")
    var knn = StageMetrics()
    for (k, value) in [(20, 0.8), (200, 0.7)] {
      knn.add("knn_top1", value, context: StageMetrics.protocolContext("knn", ["k": .number(k)]))
      knn.add("knn_top5", 0.9, context: StageMetrics.protocolContext("knn", ["k": .number(k)]))
    }
    knn.add("linear_top1", 0.9, context: StageMetrics.protocolContext("linear"))
    knn.add("linear_top1", 0.99, context: StageMetrics.protocolContext("linear", split: "train"))
    #expect(RunCommand.headline(knn) == "linear_top1 0.9  knn_top1@20 0.8  knn_top1@200 0.7")
  }
}
