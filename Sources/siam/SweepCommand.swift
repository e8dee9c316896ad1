import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

/// `siam sweep [run] PIPELINE`: the default subcommand of `siam sweep`.
struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run every point of a sweep: the file's sweep: block and the axes given with --set.",
    discussion: HelpText.reflowed(
      """
      --set takes Hydra's grammar: key=a,b,c (an axis of three values), key=range(1,4)
      (1, 2, 3: stop is exclusive), key=range(0,1,0.25), key=choice(a,b), and key=v (a
      fixed override). Quote a value holding a comma ('key="a,b"'); a value starting
      with [ or { is one value. Command-line axes multiply the file's grid (file points
      outer, the last axis varying fastest); a key given with --set replaces the file's
      axis of that key.

      Every point is validated and planned before anything runs. Stages with equal
      fingerprints across points execute once (one dataset stage; one pretrain stage
      when only evaluation parameters vary). By default points run one after another in
      this process, each as a run of its own tagged with the sweep
      (runs/<id>/origin.json); the sweep's folder is runs/sweeps/<id>/ (sweep.json: axes,
      points, run ids, status). A failed point does not stop the others unless
      --fail-fast. Running the same sweep again reuses every finished stage; a grid
      extended by new values runs only the new stages.

      --executor local runs --jobs points at once as child processes (each with
      cores/jobs threads); --executor slurm submits them as Slurm job arrays (--partition,
      --account, --qos, --cpus-per-task, --mem, --time, --setup, --sbatch-arg; or the
      pipeline's executor: block). Both first run the stages the points share (one task),
      then the points, each into its own store shard that this command merges into the
      run store; the same command again submits only the points without a finished
      record. siam sweep status and siam sweep cancel watch and stop them (docs/cluster.md).

      Examples:
        siam sweep pipelines/ablation-temperature.yaml --dry-run
        siam sweep pipelines/ablation-temperature.yaml
        siam sweep pipelines/quickstart.yaml --set stages.knn.k=5,20,200
        siam sweep pipelines/quickstart.yaml --set seed=range(1,4) --set stages.pretrain.method.temperature=0.1,0.5
        siam sweep pipelines/ablation-temperature.yaml --quiet --json > sweep.json
        siam sweep pipelines/ablation-temperature.yaml --executor local --jobs 2
        siam sweep pipelines/ablation-temperature.yaml --executor slurm --partition debug --cpus-per-task 2 --time 01:00:00
        siam sweep pipelines/ablation-temperature.yaml --executor slurm --no-wait
      """)
  )

  @OptionGroup var pipeline: PlanningOptions

  @Flag(name: .long, help: "Only show the points and how many stages they share.")
  var dryRun = false

  @Flag(name: .long, help: "Stop at the first failed point (the others are not run).")
  var failFast = false

  @Flag(name: .long, help: "Within a point, after a failure, still run the stages that do not depend on it.")
  var keepGoing = false

  @OptionGroup var execution: ExecutionOptions

  @OptionGroup(title: "Executor") var executorOptions: ExecutorOptions

  func run() throws {
    execution.apply()
    let json = execution.json
    let sweep: Sweep
    do {
      sweep = try Sweep.expand(path: pipeline.file, arguments: pipeline.overrides)
    } catch {
      Console.error(error.description)
      throw ExitCode(1)
    }
    for warning in sweep.warnings { Console.error(warning.description) }
    let executor: ExecutorSpec
    do {
      executor = try executorOptions.applied(to: sweep.points.first?.spec.executor ?? ExecutorSpec())
    } catch {
      Console.error("error: \(error)")
      throw ExitCode(1)
    }
    let runner = SweepRunner(options: pipeline.runOptions(keepGoing: keepGoing), failFast: failFast)
    if executor.type != .inProcess && !dryRun {
      try SweepDistribution(
        sweep: sweep, runner: runner, executor: executor, pipeline: pipeline, execution: execution,
        noWait: executorOptions.noWait, failFast: failFast, keepGoing: keepGoing
      ).run()
      return
    }
    if dryRun {
      let plan: SweepPlan
      do {
        plan = try runner.plan(sweep)
      } catch {
        Console.error("error: \(error.description)")
        throw ExitCode(1)
      }
      if json {
        print(CanonicalJSON.object(["sweep": sweep.json, "plan": plan.json]).canonicalString)
        return
      }
      let layout = TableLayout.standardOutput(execution.progress.color)
      print(Self.describe(sweep, layout: layout))
      print("")
      print(layout.render(plan))
      print(plan.summary)
      print("Next: siam sweep \(pipeline.file)" + pipeline.overrides.map { " --set \(Self.quoted($0))" }.joined())
      return
    }
    let session = ExecutionSession(execution: execution, storePath: execution.storePath(runs: pipeline.root))
    let printer = SweepPrinter(session: session)
    let result: SweepResult
    do {
      result = try runner.run(sweep, observer: printer)
    } catch {
      throw session.fail(error)
    }
    session.display.finish()
    if json {
      print(result.json.canonicalString)
    } else {
      print(Self.table(result, axes: sweep.axes, layout: .standardOutput(execution.progress.color)))
      print(
        "Sweep \(result.id): \(result.status.rawValue), \(result.executedStages) stages executed "
          + "(\(result.plan.distinctStages) distinct of \(result.plan.totalStages)) in \(String(format: "%.1f", result.seconds)) s: "
          + "\(result.directory)/sweep.json")
    }
    if !result.succeeded {
      let failed = result.points.filter { $0.status == .failed }.count
      Console.error(
        "error: \(failed) of \(result.points.count) points failed; finished stages are kept in the cache, "
          + "so running the same command again reruns only what failed.")
      try? session.reportProblems(directory: result.directory + "/sweep.json")
      throw ExitCode(1)
    }
    try session.reportProblems(directory: result.directory + "/sweep.json")
    if !json, let run = result.points.first?.run {
      print("Next: siam rerun \(run.id) --verify   (re-execute a point and check it reproduces bit for bit)")
    }
  }

  /// The axes and the points, one line each.
  static func describe(_ sweep: Sweep, layout: TableLayout = TableLayout()) -> String {
    var lines = [
      "Sweep of \(sweep.pipeline) (\(sweep.file)): \(sweep.points.count) point\(sweep.points.count == 1 ? "" : "s")"
    ]
    if !sweep.fixedOverrides.isEmpty { lines.append("fixed: " + sweep.fixedOverrides.joined(separator: " ")) }
    if !sweep.axes.isEmpty {
      lines.append("")
      lines.append(
        layout.render(
          header: ["axis", "kind", "values", "from"],
          rows: sweep.axes.map {
            [
              $0.path, $0.kind.rawValue, $0.distribution ?? $0.values.map(\.canonicalString).joined(separator: ", "),
              $0.source,
            ]
          }))
    }
    lines.append("")
    lines.append(
      layout.render(
        header: ["point", "overrides"],
        rows: sweep.points.map {
          [String($0.index + 1), $0.overrides.isEmpty ? "(none)" : $0.overrides.joined(separator: " ")]
        }))
    return lines.joined(separator: "\n")
  }

  /// One row per point: its axis values, status, run id and headline metrics.
  static func table(_ result: SweepResult, axes: [SweepAxis], layout: TableLayout = TableLayout()) -> String {
    let columns = metricColumns(result)
    let header =
      ["point"] + axes.map { shortPath($0.path) } + ["status", "run"] + columns.map { "\($0.stage) \($0.key)" }
    let rows = result.points.map { point in
      let values = Dictionary(
        point.assignments.map { ($0.path, $0.value.canonicalString) }, uniquingKeysWith: { _, last in last })
      let metrics = point.metrics
      return [String(point.index + 1)] + axes.map { values[$0.path] ?? "" } + [
        point.status.rawValue, point.run?.id ?? "-",
      ]
        + columns.map { column in metrics[column.stage]?[column.key].map(format) ?? "" }
    }
    return layout.render(header: header, rows: rows)
  }

  /// For each stage (in order), the first headline metric any point has.
  static func metricColumns(_ result: SweepResult) -> [(stage: String, key: String)] {
    let preferred = ["linear_top1", "knn_top1", "finetune_top1", "supervised_top1", "final_loss"]
    var columns: [(stage: String, key: String)] = []
    var seen: Set<String> = []
    for point in result.points {
      for stage in point.run?.stages ?? [] where !seen.contains(stage.name) {
        if let key = preferred.first(where: { stage.metrics[$0] != nil }) {
          columns.append((stage.name, key))
          seen.insert(stage.name)
        }
      }
    }
    return columns
  }

  static func shortPath(_ path: String) -> String {
    path.hasPrefix("stages.") ? String(path.dropFirst("stages.".count)) : path
  }

  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(format: "%.4g", value)
  }

  /// The argument as a shell word.
  static func quoted(_ argument: String) -> String {
    argument.allSatisfy { $0.isLetter || $0.isNumber || "_-./=,+".contains($0) } ? argument : "'\(argument)'"
  }
}

/// Reports each point as it starts and finishes (on the progress display, with the
/// runs' progress) and records the sweep and each point's run in the run store.
final class SweepPrinter: SweepObserver {
  let session: ExecutionSession
  var display: ProgressDisplay { session.display }
  private var total = 0
  private var sweepID: String?

  init(session: ExecutionSession) {
    self.session = session
  }

  func sweepDidStart(id: String, directory: String, sweep: Sweep, plan: SweepPlan) {
    total = sweep.points.count
    sweepID = id
    session.onInterrupt { _ in SweepRunner.markKilled(directory: directory) }
    display.send(.log(stage: nil, line: "sweep \(id): \(plan.summary) (\(directory))"))
    do {
      try session.store?.createSweep(
        id: id, pipeline: sweep.pipeline, axesJSON: CanonicalJSON.array(sweep.axes.map(\.json)).canonicalString)
    } catch {
      session.dropStore(error.description)
    }
  }

  static func describe(_ overrides: [String]) -> String {
    overrides.isEmpty ? "(no overrides)" : overrides.joined(separator: " ")
  }

  func runObservers(for point: SweepPoint, sweepID: String) -> [any RunObserver] {
    display.send(.pointStarted(index: point.index, count: total, overrides: Self.describe(point.overrides)))
    return session.observers(sweepID: sweepID, sweepPoint: point.index)
  }

  func pointDidFinish(_ result: SweepPointResult) {
    session.finishRecorders()
    if let store = session.store, let sweepID {
      let status: SweepPointRecord.Status =
        switch result.status {
        case .finished: .finished
        case .failed: .failed
        case .skipped: .skipped
        case .pending: .pending
        }
      let row = SweepPointRecord(
        sweepID: sweepID, point: result.index,
        overridesJSON: CanonicalJSON.array(result.overrides.map(CanonicalJSON.string)).canonicalString, status: status,
        runID: result.run?.id, executor: ExecutorSpec.Kind.inProcess.rawValue, node: ProcessLiveness.hostName,
        runSeconds: result.run?.seconds, error: result.error)
      do { try store.recordSweepPoint(row) } catch { session.addProblem(error.description) }
    }
    let metrics = (result.run?.stages ?? []).compactMap { stage -> String? in
      let text = RunCommand.headline(stage.metrics.filter { $0.key != "train_count" })
      return text.isEmpty ? nil : "\(stage.name): \(text)"
    }.joined(separator: "; ")
    let executed = result.executedStages
    let cached = result.run?.stages.filter(\.isCacheHit).count ?? 0
    var detail = ""
    if let run = result.run { detail += "(run \(run.id), \(executed) executed, \(cached) cached)" }
    if !metrics.isEmpty { detail += (detail.isEmpty ? "" : "  ") + metrics }
    if let error = result.error { detail += (detail.isEmpty ? "" : "  ") + "error: \(error)" }
    display.send(
      .pointFinished(
        index: result.index, count: total, overrides: Self.describe(result.overrides), status: result.status.rawValue,
        detail: detail))
  }
}
