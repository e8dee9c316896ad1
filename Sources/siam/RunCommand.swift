import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline: plan every stage, reuse cached ones, execute the rest in order.",
    discussion: HelpText.reflowed(
      """
      Each run gets a folder runs/<id>/ (pipeline.resolved.json, plan.json, run.log,
      result.json, stages/<name> → its cache entry). An interrupted pretraining resumes
      from its last epoch's checkpoint when the same pipeline is run again.

      Every run is recorded in the run store (--store, default $SIAM_STORE, else
      <runs>/siam.sqlite): parameters, stages, metrics, artifacts, environment. A run
      stopped by Ctrl-C or SIGTERM is recorded as killed. See siam runs, show, compare
      and query.

      Progress goes to stderr: on a terminal a bar redrawn in place (stage, epoch, step,
      loss, images/s, ETA); otherwise plain lines (each epoch, and progress every 10 s);
      --log-format json writes one JSON object per event and line; --quiet leaves only
      errors and the final table.

      Examples:
        siam run pipelines/quickstart.yaml
        siam run pipelines/quickstart.yaml --set stages.pretrain.method.temperature=0.2
        siam run pipelines/quickstart.yaml --force knn
        siam run pipelines/quickstart.yaml --json > result.json
        siam run pipelines/quickstart.yaml --log-format json 2> progress.jsonl
        siam run pipelines/quickstart.yaml --quiet --color never
      """)
  )

  @OptionGroup var pipeline: PlanningOptions

  @Flag(name: .long, help: "Only show the plan (as `siam plan`).")
  var dryRun = false

  @Flag(name: .long, help: "After a failure, still run the stages that do not depend on it.")
  var keepGoing = false

  @OptionGroup var execution: ExecutionOptions

  func run() throws {
    execution.apply()
    let json = execution.json
    let spec = try pipeline.loadSpec()
    let runner = PipelineRunner(options: pipeline.runOptions(keepGoing: keepGoing))
    if dryRun {
      do {
        let plan = try runner.plan(spec)
        print(json ? plan.json.canonicalString : TableLayout.standardOutput(execution.progress.color).render(plan))
      } catch {
        Console.error("error: \(error.description)")
        throw ExitCode(1)
      }
      return
    }
    let session = ExecutionSession(execution: execution, storePath: execution.storePath(runs: pipeline.root))
    let result: RunResult
    do {
      result = try runner.run(spec, observers: session.observers())
    } catch {
      throw session.fail(error)
    }
    session.display.finish()
    if json {
      print(result.json.canonicalString)
    } else {
      print(Self.table(result, layout: .standardOutput(execution.progress.color)))
      print("Run \(result.id) in \(String(format: "%.1f", result.seconds)) s: \(result.directory)")
    }
    if let failure = result.firstFailure {
      Console.error("error: stage '\(failure.name)' failed: \(failure.error ?? "unknown error")")
      Console.error("What finished is kept in the cache; fix the problem and run the same command again.")
      try? session.reportProblems(directory: result.directory)
      throw ExitCode(1)
    }
    try session.reportProblems(directory: result.directory)
    if !json {
      print("Next: siam show \(result.id)   or   siam plan \(pipeline.file)   (everything is now cached)")
    }
  }

  /// Stage, kind, cache hit, seconds, headline metrics.
  static func table(_ result: RunResult, layout: TableLayout = TableLayout()) -> String {
    let rows = result.stages.map { stage in
      [
        stage.name, stage.kind, stage.isCacheHit ? "yes" : "no", stage.status.rawValue,
        String(format: "%.1f", stage.seconds), headline(stage.metrics),
      ]
    }
    return layout.render(
      header: ["stage", "kind", "cache hit", "status", "seconds", "metrics"], rows: rows,
      numeric: [false, false, false, false, true, false])
  }

  /// The headline keys on their test split, in `preferred` order; a key measured under
  /// several contexts (kNN's `k` values) once per context, labelled (`knn_top1@20`).
  static func headline(_ metrics: StageMetrics) -> String {
    let preferred = ["linear_top1", "knn_top1", "finetune_top1", "supervised_top1", "final_loss", "train_count"]
    let shown = metrics.filter { preferred.contains($0.key) && $0.context["split"] != "train" }
    let counts = Dictionary(grouping: shown, by: \.key).mapValues(\.count)
    return shown.labelled.sorted { preferred.firstIndex(of: $0.metric.key)! < preferred.firstIndex(of: $1.metric.key)! }
      .map { label, metric in
        let value = metric.value
        let text = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value)
        return "\(counts[metric.key]! > 1 ? label : metric.key) \(text)"
      }.joined(separator: "  ")
  }
}
