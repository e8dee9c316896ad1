import ArgumentParser
import Foundation
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
    for option in ["--set", "--force", "--force-downstream", "--no-cache", "--dry-run", "--keep-going", "--json",
                   "--threads", "--runs", "runs/<id>/", "siam run pipelines/quickstart.yaml --force knn"] {
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

  @Test func headlineMetricsPreferAccuracies() {
    let text = RunCommand.headline(["linear_top1": 0.8123, "linear_top5": 0.99, "knn_top1": 0.75])
    #expect(text == "linear_top1 0.8123  knn_top1 0.75")
    #expect(RunCommand.headline(["train_count": 10000]) == "train_count 10000")
  }
}
