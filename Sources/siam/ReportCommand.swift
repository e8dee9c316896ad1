import ArgumentParser
import Foundation
import SiamReport
import SiamStore

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a self-contained HTML report of runs or a sweep: curves, evaluations, previews, embeddings.",
    discussion: HelpText.reflowed(
      """
      One HTML file with inline SVG charts and CSS (no network needed; prints well): the
      runs and their environment with the commands that reproduce them, training curves,
      linear/kNN accuracy against baselines, for a sweep each metric against each swept
      parameter (mean ± std over seeds), augmentation previews, a PCA of test embeddings
      with the linear probe's confusion matrix, and the parameters that differ. See
      docs/report.md.

      RUN is a run id or a unique prefix. Run folders are looked for where the store
      recorded them, then under --runs (default: the store's folder).

      Examples:
        siam report 20261129-031502-a3f9 -o report.html
        siam report RUN1 RUN2 RUN3 -o compare.html
        siam report --sweep 20261129-040000-77aa -o sweep.html
        siam report --pipeline quickstart --limit 5 -o quickstart.html
      """)
  )

  @Argument(help: "Run ids or unique prefixes.")
  var runs: [String] = []

  @Option(name: .long, help: "Report on the runs of this sweep.")
  var sweep: String?

  @Option(name: .long, help: "Report on the newest finished runs of this pipeline (its name: key).")
  var pipeline: String?

  @Option(name: .long, help: "With --pipeline: at most this many runs.")
  var limit = 8

  @Option(name: [.short, .customLong("output")], help: "The HTML file to write.")
  var output = "report.html"

  @Option(name: .long, help: "The run store (default: $SIAM_STORE, else runs/siam.sqlite).")
  var store: String?

  @Option(name: .customLong("runs"), help: "The folder of run folders and the cache (default: the store's folder).")
  var root: String?

  @OptionGroup var engine: EngineOptions

  func validate() throws {
    let given = [!runs.isEmpty, sweep != nil, pipeline != nil].filter { $0 }.count
    if given != 1 { throw ValidationError("give run ids, --sweep ID or --pipeline NAME (exactly one of them)") }
    if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    engine.apply()
    if let problem = Self.outputProblem(output) {
      Console.error("error: cannot write the report to \(output): \(problem)")
      throw ExitCode(1)
    }
    let selection: ReportSelection =
      if let sweep { .sweep(sweep) } else if let pipeline { .pipeline(pipeline, limit: limit) } else { .runs(runs) }
    let report: Report
    do {
      let runStore = try RunStore.open(path: StoreOptions.path(store, runs: root ?? "runs"), mustExist: true)
      report = try ReportBuilder(store: runStore, runsRoot: root).build(selection)
      try report.write(to: output)
    } catch let error as StoreError {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    } catch let error as ReportError {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    print(
      "Wrote \(output): \(report.runIDs.count) run\(report.runIDs.count == 1 ? "" : "s"), sections \(report.sections.joined(separator: ", "))."
    )
    print("Next: open \(output) in a browser (it prints to PDF as well).")
  }

  /// Why `path` cannot be written, checked before any work: its folder is missing or
  /// not writable, or it is a folder.
  static func outputProblem(_ path: String) -> String? {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
      return "it is a folder"
    }
    let folder = (path as NSString).deletingLastPathComponent
    let parent = folder.isEmpty ? "." : folder
    guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
      return "the folder \(parent) does not exist"
    }
    if !FileManager.default.isWritableFile(atPath: parent) { return "the folder \(parent) is not writable" }
    return nil
  }
}
