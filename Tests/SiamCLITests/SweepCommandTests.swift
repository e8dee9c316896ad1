import ArgumentParser
import Foundation
import Testing
import _SiamTestSupport

@testable import siam

/// `siam sweep` and `siam rerun`, run in this process on a tiny synthetic pipeline.
@Suite struct SweepCommandTests {
  static let yaml = """
    name: cli-tiny
    seed: 5
    stages:
      data: {kind: dataset, source: synthetic, samples: 48, test_samples: 16, classes: 3, shape: [1, 8, 8]}
      knn: {kind: knn, needs: [data], k: 3}
    sweep:
      grid:
        stages.knn.temperature: [0.1, 0.2]
    """

  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "siam-cli-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  ).path

  func setUp() throws -> String {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let file = folder + "/tiny.yaml"
    try Data(Self.yaml.utf8).write(to: URL(fileURLWithPath: file))
    return file
  }

  /// Parses and runs `arguments`; the exit code (0 when `run` returns).
  func exitCode(_ arguments: [String]) throws -> Int32 {
    var command = try SiamCommand.parseAsRoot(arguments)
    do {
      try command.run()
      return 0
    } catch let exit as ExitCode {
      return exit.rawValue
    }
  }

  func runIDs() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder + "/runs")) ?? []).filter { $0.hasPrefix("20") }
      .sorted()
  }

  @Test func sweepHelpDocumentsTheGrammarAndOptions() {
    let help = SiamCommand.helpMessage(for: SweepCommand.self)
    for text in [
      "--set", "--fail-fast", "--dry-run", "--json", "--runs", "--threads", "range(1,4)", "choice(a,b)",
      "runs/sweeps/<id>/", "siam sweep pipelines/ablation-temperature.yaml --dry-run",
    ] {
      #expect(help.contains(text), "missing \(text) in:\n\(help)")
    }
    #expect(SiamCommand.helpMessage().contains("sweep"))
    #expect(SiamCommand.helpMessage().contains("rerun"))
  }

  @Test func rerunHelpDocumentsVerification() {
    let help = SiamCommand.helpMessage(for: RerunCommand.self)
    for text in [
      "--verify", "--runs", "--threads", "--json", "<run>", "rerun_of", "identical", "environment drift",
      "no recorded environment",
    ] {
      #expect(help.contains(text), "missing \(text) in:\n\(help)")
    }
  }

  @Test func sweepRunsEveryPointAndRerunVerifies() throws {
    let file = try setUp()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let runs = folder + "/runs"
    #expect(try exitCode(["sweep", file, "--runs", runs, "--dry-run"]) == 0)
    #expect(runIDs().isEmpty)
    #expect(try exitCode(["sweep", file, "--runs", runs, "--set", "stages.knn.k=2,3", "--json"]) == 0)
    let ids = runIDs()
    #expect(ids.count == 4)
    let sweeps = try FileManager.default.contentsOfDirectory(atPath: runs + "/sweeps")
    #expect(sweeps.count == 1)

    #expect(try exitCode(["rerun", ids[0], "--runs", runs, "--verify"]) == 0)
    // A tampered metric is a difference: exit 1.
    let result = runs + "/" + ids[1] + "/result.json"
    let text = try String(contentsOfFile: result, encoding: .utf8)
    let tampered = text.replacingOccurrences(
      of: #""key": "test_count",\s*"value": 16"#, with: #""key": "test_count", "value": 17"#,
      options: .regularExpression)
    #expect(tampered != text)
    try Data(tampered.utf8).write(to: URL(fileURLWithPath: result))
    #expect(try exitCode(["rerun", ids[1], "--runs", runs, "--verify"]) == 1)
    #expect(try exitCode(["rerun", "no-such-run", "--runs", runs]) == 1)
  }

  @Test func badSweepArgumentsExitWithOneError() throws {
    let file = try setUp()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(try exitCode(["sweep", file, "--runs", folder + "/runs", "--set", "seed=range(3,1)", "--dry-run"]) == 1)
    #expect(try exitCode(["sweep", file, "--runs", folder + "/runs", "--set", "stages.knn.k=1,0", "--dry-run"]) == 1)
    #expect(try exitCode(["sweep", folder + "/missing.yaml", "--dry-run"]) == 1)
    #expect(runIDs().isEmpty)
  }

  @Test func aFailedPointExitsNonZeroAndFailFastStops() throws {
    _ = try setUp()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let file = folder + "/pretrain.yaml"
    try Data(TinyPipeline.yaml(name: "cli-fail", epochs: 1, stages: []).utf8).write(to: URL(fileURLWithPath: file))
    // A learning rate of 1e38 makes the first point's pretraining diverge while it runs.
    #expect(
      try exitCode(["sweep", file, "--runs", folder + "/runs", "--set", "stages.pretrain.optimizer.lr=1e38,0.05"]) == 1)
    #expect(runIDs().count == 2)
    try FileManager.default.removeItem(atPath: folder + "/runs")
    #expect(
      try exitCode([
        "sweep", file, "--runs", folder + "/runs", "--set", "stages.pretrain.optimizer.lr=1e38,0.05", "--fail-fast",
      ]) == 1)
    #expect(runIDs().count == 1)
  }

  @Test func aKLargerThanTheTrainingSplitIsRefusedBeforeAnythingRuns() throws {
    let file = try setUp()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    #expect(try exitCode(["sweep", file, "--runs", folder + "/runs", "--set", "stages.knn.k=1000,3"]) == 1)
    #expect(runIDs().isEmpty)
  }

  /// The `siam` binary of this build, which local tasks run.
  static var executable: String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
    return [".build/debug/siam", ".build/x86_64-unknown-linux-gnu/debug/siam"].map { "\(root)/\($0)" }
      .first { FileManager.default.isExecutableFile(atPath: $0) } ?? root + "/.build/debug/siam"
  }

  @Test func executorFlagsAreCheckedAndALocalSweepRunsWatchesAndLists() throws {
    let file = try setUp()
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let runs = folder + "/runs"
    // Bad flags: one clear error naming the flag, nothing run.
    #expect(try exitCode(["sweep", file, "--runs", runs, "--executor", "local", "--no-wait"]) == 1)
    #expect(try exitCode(["sweep", file, "--runs", runs, "--executor", "slurm", "--time", "soon"]) == 1)
    #expect(try exitCode(["sweep", file, "--runs", runs, "--executor", "slurm", "--partition", "a b"]) == 1)
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["sweep", file, "--executor", "cloud"]) }
    #expect(try exitCode(["sweep", "status", "--runs", runs]) == 1, "no sweep yet")
    #expect(runIDs().isEmpty)
    // A local sweep through the command line, its status and its runs.
    setenv("SIAM_EXECUTABLE", Self.executable, 1)
    #expect(try exitCode(["sweep", file, "--runs", runs, "--executor", "local", "--jobs", "2", "--quiet"]) == 0)
    #expect(runIDs().count == 2)
    #expect(try exitCode(["sweep", "status", "--runs", runs, "--format", "json"]) == 0)
    let sweeps = try FileManager.default.contentsOfDirectory(atPath: runs + "/sweeps").filter { !$0.hasPrefix(".") }
    #expect(sweeps.count == 1)
    #expect(try exitCode(["runs", "--sweep", sweeps[0], "--store", runs + "/siam.sqlite"]) == 0)
    #expect(try exitCode(["sweep", "cancel", sweeps[0], "--runs", runs]) == 0, "nothing left to cancel is no error")
    #expect(try exitCode(["sweep", "status", "no-such-sweep", "--runs", runs]) == 1)
  }
}
