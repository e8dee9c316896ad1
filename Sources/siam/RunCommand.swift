import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline: plan every stage, reuse cached ones, execute the rest in order.",
    discussion: """
      Each run gets a folder runs/<id>/ (pipeline.resolved.json, plan.json, run.log,
      result.json, stages/<name> → its cache entry). An interrupted pretraining resumes
      from its last epoch's checkpoint when the same pipeline is run again.

      Every run is recorded in the run store (--store, default $SIAM_STORE, else
      <runs>/siam.sqlite): parameters, stages, metrics, artifacts, environment. A run
      stopped by Ctrl-C or SIGTERM is recorded as killed. See siam runs, show, compare
      and query.

      Examples:
        siam run pipelines/quickstart.yaml
        siam run pipelines/quickstart.yaml --set stages.pretrain.method.temperature=0.2
        siam run pipelines/quickstart.yaml --force knn
        siam run pipelines/quickstart.yaml --json > result.json
      """
  )

  @OptionGroup var pipeline: PlanningOptions
  @OptionGroup var engine: EngineOptions

  @Flag(name: .long, help: "Only show the plan (as `siam plan`).")
  var dryRun = false

  @Flag(name: .long, help: "After a failure, still run the stages that do not depend on it.")
  var keepGoing = false

  @Flag(name: .long, help: "End with one JSON object on stdout (progress stays on stderr).")
  var json = false

  @Option(name: .long, help: "The run store (default: $SIAM_STORE, else <runs>/siam.sqlite).")
  var store: String?

  func run() throws {
    engine.apply()
    let spec = try pipeline.loadSpec()
    let runner = PipelineRunner(options: pipeline.runOptions(keepGoing: keepGoing))
    if dryRun {
      do {
        let plan = try runner.plan(spec)
        print(json ? plan.json.canonicalString : plan.table())
      } catch {
        Console.error("error: \(error.description)")
        throw ExitCode(1)
      }
      return
    }
    let progress = ProgressPrinter(toStandardError: json)
    let storePath = StoreOptions.path(store, runs: pipeline.root)
    var storeProblems: [String] = []
    var recorder: StoreRecorder?
    do {
      recorder = StoreRecorder(store: try RunStore.open(path: storePath), pipelineFile: pipeline.file)
    } catch {
      storeProblems.append(error.description)
    }
    let trap = SignalTrap { [recorder] signal in
      Console.error("\nstopped by signal \(signal): finished stages stay in the cache; run the same command to go on")
      recorder?.markKilled()
    }
    defer { trap.remove() }
    let result: RunResult
    do {
      result = try runner.run(spec, observers: [progress] + (recorder.map { [$0] } ?? []))
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    storeProblems += recorder?.problems ?? []
    if json {
      print(result.json.canonicalString)
    } else {
      print(Self.table(result))
      print("Run \(result.id) in \(String(format: "%.1f", result.seconds)) s: \(result.directory)")
    }
    if let failure = result.firstFailure {
      Console.error("error: stage '\(failure.name)' failed: \(failure.error ?? "unknown error")")
      Console.error("What finished is kept in the cache; fix the problem and run the same command again.")
      Self.report(storeProblems, directory: result.directory)
      throw ExitCode(1)
    }
    if !storeProblems.isEmpty {
      Self.report(storeProblems, directory: result.directory)
      throw ExitCode(1)
    }
    if !json {
      print("Next: siam show \(result.id)   or   siam plan \(pipeline.file)   (everything is now cached)")
    }
  }

  /// Store failures: the run's results are safe in its folder.
  static func report(_ problems: [String], directory: String) {
    guard !problems.isEmpty else { return }
    for problem in problems { Console.error("error: run store: \(problem)") }
    Console.error("The results are complete in \(directory); only the store record is incomplete.")
  }

  /// Stage, kind, cache hit, seconds, headline metrics.
  static func table(_ result: RunResult) -> String {
    let rows = result.stages.map { stage in
      [stage.name, stage.kind, stage.isCacheHit ? "yes" : "no", stage.status.rawValue,
       String(format: "%.1f", stage.seconds), headline(stage.metrics)]
    }
    return TextTable.render(header: ["stage", "kind", "cache hit", "status", "seconds", "metrics"], rows: rows)
  }

  static func headline(_ metrics: [String: Double]) -> String {
    let preferred = ["linear_top1", "knn_top1", "finetune_top1", "supervised_top1", "final_loss", "train_count"]
    var keys = preferred.filter { metrics[$0] != nil }
    keys += metrics.keys.filter { $0.hasPrefix("knn_top1@") }.sorted()
    return keys.map { key in
      let value = metrics[key]!
      let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value)
      return "\(key) \(text)"
    }.joined(separator: "  ")
  }
}

/// Prints a run's progress lines (stdout, or stderr with --json).
///
/// On a terminal, a stage's step lines (`… step 51/234 loss … eta …`) update one status
/// line in place, led by a bar of the epoch's progress; every other line is printed
/// normally. Off a terminal (a pipe, a log file, CI) every line is printed as it is.
final class ProgressPrinter: RunObserver {
  let toStandardError: Bool
  let isTerminal: Bool
  private var hasOpenStatusLine = false

  init(toStandardError: Bool) {
    self.toStandardError = toStandardError
    self.isTerminal = isatty(toStandardError ? STDERR_FILENO : STDOUT_FILENO) == 1
  }

  private func write(_ text: String) {
    let data = Data(text.utf8)
    if toStandardError { FileHandle.standardError.write(data) } else { FileHandle.standardOutput.write(data) }
  }

  private func emit(_ line: String) {
    if hasOpenStatusLine {
      write("\r\u{1B}[K")
      hasOpenStatusLine = false
    }
    write(line + "\n")
  }

  func runDidStart(id: String, directory: String, spec: PipelineSpec, plan: RunPlan) {
    emit("run \(id): \(plan.stagesToRun.count) of \(plan.stages.count) stages to run (\(directory))")
  }

  func stageDidLog(_ stage: String, line: String) {
    guard isTerminal, let fraction = Self.stepFraction(line) else {
      emit(line)
      return
    }
    write("\r\u{1B}[K" + Self.bar(fraction) + " " + line)
    hasOpenStatusLine = true
  }

  func runDidFinish(_ result: RunResult) {
    if hasOpenStatusLine { emit("") }
  }

  /// The fraction `c/d` of the first `step c/d` in a progress line, if any.
  static func stepFraction(_ line: String) -> Double? {
    guard let range = line.range(of: "step ") else { return nil }
    let rest = line[range.upperBound...].prefix { $0.isNumber || $0 == "/" }
    let parts = rest.split(separator: "/")
    guard parts.count == 2, let done = Double(parts[0]), let total = Double(parts[1]), total > 0 else { return nil }
    return min(1, max(0, done / total))
  }

  /// A 20-cell text bar, e.g. `[#########-----------]`.
  static func bar(_ fraction: Double, width: Int = 20) -> String {
    let filled = Int((fraction * Double(width)).rounded(.down))
    return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
  }
}
