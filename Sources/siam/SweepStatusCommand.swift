import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

struct SweepStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the points of a local or Slurm sweep, merging finished ones into the run store.",
    discussion: HelpText.reflowed(
      """
      Per point: its state (pending, queued, running, finished, failed, cancelled), its
      Slurm job (JOB_INDEX) or local pid, the node, seconds queued and running, its run
      and headline metric. States come from squeue (never sacct) and the sweep folder;
      finished points' shards are merged into the run store, once. SWEEP defaults to the
      newest sweep of the local or Slurm executor.

      Examples:
        siam sweep status
        siam sweep status 20261203-101500-a3f9 --format json
      """)
  )

  @Argument(help: "A sweep id (runs/sweeps/<id>); the newest when omitted.")
  var sweep: String?

  @Option(name: .customLong("runs"), help: "The folder of the cache and the run folders.", completion: .directory)
  var root = "runs"

  @OptionGroup var output: StoreOptions

  func run() throws {
    let id = try Self.resolve(sweep, root: root)
    let storePath = StoreOptions.path(output.store, runs: root)
    let coordinator = try output.reporting { () throws(RunError) in
      try SweepCoordinator.attach(id: id, settings: Self.settings(root: root, store: storePath))
    }
    let statuses = coordinator.refresh()
    let store = try? RunStore.open(path: storePath)
    if output.format == .json {
      print(Self.json(statuses, sweepID: id))
    } else {
      output.print([Self.table(statuses, store: store)])
    }
    if output.format == .table {
      let counts = Dictionary(grouping: statuses, by: \.status).map { "\($0.value.count) \($0.key.rawValue)" }.sorted()
      print("Sweep \(id): " + counts.joined(separator: ", "))
    }
  }

  static func settings(root: String, store: String) -> SweepCoordinator.Settings {
    SweepCoordinator.Settings(
      root: root, storePath: store, executor: ExecutorSpec(), executable: ExecutorOptions.executable)
  }

  /// `id`, else the newest sweep of the local or Slurm executor under `root`.
  static func resolve(_ id: String?, root: String) throws -> String {
    if let id { return id }
    guard let latest = SweepCoordinator.latestID(root: root) else {
      Console.error("error: no sweep of the local or Slurm executor under \(root)/sweeps")
      throw ExitCode(1)
    }
    return latest
  }

  /// One row per point.
  static func table(_ statuses: [SweepCoordinator.PointStatus], store: RunStore?) -> OutputTable {
    let rows = statuses.map { point -> [OutputCell] in
      let summaries = point.runID.flatMap { try? store?.summaries(run: $0) } ?? []
      return [
        .integer(Int64(point.index + 1)), .text(point.overrides.joined(separator: " ")), .text(point.status.rawValue),
        OutputCell(point.job), OutputCell(point.node), OutputCell(point.queuedSeconds.map(OutputCell.rounded)),
        OutputCell(point.runSeconds.map(OutputCell.rounded)), OutputCell(point.runID),
        .text(RunsCommand.headline(summaries)), OutputCell(point.error),
      ]
    }
    return OutputTable(
      columns: ["point", "overrides", "status", "job", "node", "queued s", "run s", "run", "metrics", "error"],
      rows: rows)
  }

  static func json(_ statuses: [SweepCoordinator.PointStatus], sweepID: String) -> String {
    CanonicalJSON.object([
      "sweep_id": .string(sweepID),
      "points": .array(
        statuses.map {
          [
            "index": .number($0.index), "overrides": .array($0.overrides.map(CanonicalJSON.string)),
            "status": .string($0.status.rawValue), "job": $0.job.map(CanonicalJSON.string) ?? .null,
            "node": $0.node.map(CanonicalJSON.string) ?? .null,
            "queued_seconds": $0.queuedSeconds.map(CanonicalJSON.number) ?? .null,
            "run_seconds": $0.runSeconds.map(CanonicalJSON.number) ?? .null,
            "run_id": $0.runID.map(CanonicalJSON.string) ?? .null, "error": $0.error.map(CanonicalJSON.string) ?? .null,
          ]
        }),
    ]).canonicalString
  }
}
