import ArgumentParser
import Foundation
import SiamStore
import Testing
import _SiamTestSupport

@testable import siam

/// `siam report` end to end: a tiny pipeline really run on the synthetic set (with an
/// embed stage, a linear probe and a raw-pixel baseline), a 2-point sweep, the reports of
/// both, and the errors of bad input.
@Suite struct ReportCommandTests {
  static let yaml = TinyPipeline.yaml(
    name: "tiny-report", pretrainExtra: ["knn_every_epochs: 1"],
    stages: [
      "linear: {kind: linear_probe, needs: [pretrain], epochs: 2, batch_size: 16}",
      "knn: {kind: knn, needs: [pretrain], k: 5}",
      "pixels: {kind: knn, needs: [data], k: 5}",
      "embed: {kind: embed, needs: [pretrain], split: test}",
    ])

  @Test func helpHasExamples() {
    let help = SiamCommand.helpMessage(for: ReportCommand.self)
    for text in ["Examples:", "siam report --sweep", "--output", "--pipeline", "--store", "--runs", "docs/report.md"] {
      #expect(help.contains(text), "missing \(text) in:\n\(help)")
    }
    #expect(SiamCommand.helpMessage().contains("report"))
  }

  @Test func reportsARealRunAndASweep() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    try Data(Self.yaml.utf8).write(to: URL(fileURLWithPath: fixture.pipeline))
    let run = try fixture.run()
    let output = fixture.folder + "/run.html"
    try fixture.siam(["report", run, "--store", fixture.store, "-o", output])
    let html = try String(contentsOfFile: output, encoding: .utf8)
    let check = XMLDocumentCheck(html)
    #expect(check.error == nil)
    for id in ["runs", "curves", "evaluation", "augmentations", "embeddings", "parameters"] {
      #expect(check.ids.contains(id), "missing section \(id)")
    }
    // Curves: loss, lr, positive/negative, embedding std, kNN monitor; evaluation: linear,
    // kNN; PCA scatter (from the embed stage) and the confusion matrix.
    #expect(check.count("svg") == 9, "\(check.elements)")
    #expect(check.count(class: "scatter-chart") == 1 && check.count(class: "heatmap") == 1)
    #expect(check.count(class: "cell") == 16)
    #expect(check.count("img") == 1)
    #expect(check.text.contains("siam rerun \(run) --verify"))
    #expect(check.text.contains("siam run \(fixture.pipeline)"))
    #expect(check.text.contains("embed stage 'embed'"))

    try fixture.siam(["sweep", fixture.pipeline, "--runs", fixture.root, "--set", "stages.knn.k=3,5"])
    let sweep = try #require(try RunStore.open(path: fixture.store).runs(limit: 1).first?.sweepID)
    let sweepOutput = fixture.folder + "/sweep.html"
    try fixture.siam(["report", "--sweep", sweep, "--store", fixture.store, "-o", sweepOutput])
    let sweepCheck = XMLDocumentCheck(try String(contentsOfFile: sweepOutput, encoding: .utf8))
    #expect(sweepCheck.error == nil)
    #expect(sweepCheck.ids.contains("sweep"))
    #expect(sweepCheck.text.contains("knn top-1 vs knn.k"))
    #expect(sweepCheck.text.contains("--set stages.knn.k=3"))
    // Both points share the pretrain stage: one augmentation grid.
    #expect(sweepCheck.count("img") == 1)
  }

  @Test func badInputIsOneClearErrorLine() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    let store = try RunStore.open(path: fixture.store)
    try store.createSweep(id: "empty", pipeline: "tiny", axesJSON: "[]")
    let cases: [([String], String)] = [
      (["report", "nope", "--store", fixture.store, "-o", fixture.folder + "/r.html"], "no run 'nope'"),
      (["report", "--sweep", "empty", "--store", fixture.store, "-o", fixture.folder + "/r.html"], "has no runs"),
      (
        ["report", "--sweep", "empty", "--store", fixture.store, "-o", "/nonexistent-siam/r.html"],
        "cannot write the report"
      ),
      (["report", "x", "--store", fixture.folder + "/missing.sqlite"], "no run store"),
    ]
    for (arguments, message) in cases {
      let (status, stderr) = try Self.spawn(arguments)
      #expect(status == 1, "\(arguments)")
      let lines = stderr.split(separator: "\n")
      #expect(
        lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(message), "\(arguments): \(stderr)")
    }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["report"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["report", "a", "--sweep", "b"]) }
  }

  /// Runs the `siam` executable; its exit status and standard error.
  static func spawn(_ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLIFixture.executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
