import ArgumentParser
import Foundation
import SiamStore

struct ShowCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "Show one recorded run: environment, stages, metric summaries, artifacts, parameters.",
    discussion: HelpText.reflowed(
      """
      RUN is a run id or a unique prefix of one (siam runs lists them). Metric summaries
      give each series' count, first and last values, and min and max with their steps.

      Examples:
        siam show 20261129-031502-a3f9
        siam show 20261129-0315 --format json
      """)
  )

  @Argument(help: "A run id, or a unique prefix of one.", completion: RunFolders.completion)
  var id: String

  @OptionGroup var output: StoreOptions

  func run() throws {
    let store = try output.open()
    let record = try output.reporting { () throws(StoreError) in try store.run(matching: id) }
    output.print(try output.reporting { () throws(StoreError) in try Self.tables(store: store, run: record) })
    if output.format == .table {
      print("Next: siam query \"SELECT step, value FROM metric WHERE run = '\(record.id)' AND key = 'loss'\"")
    }
  }

  /// The run, stages, metrics, artifacts and parameters of `run`.
  static func tables(store: RunStore, run: RunRecord) throws(StoreError) -> [OutputTable] {
    let git = run.gitCommit.map { String($0.prefix(12)) + (run.gitDirty == true ? " (dirty)" : "") }
    let identity: [(String, OutputCell)] = [
      ("id", .text(run.id)), ("pipeline", .text(run.pipeline)), ("status", .text(run.status.rawValue)),
      ("started", .text(run.startedAt)), ("finished", OutputCell(run.finishedAt)),
      ("seconds", OutputCell(run.seconds.map(OutputCell.rounded))),
      ("seed", .integer(Int64(run.seed))), ("directory", OutputCell(run.directory)),
      ("pipeline file", OutputCell(run.pipelinePath)), ("pipeline sha256", OutputCell(run.pipelineSHA256)),
      ("sweep", OutputCell(run.sweepID)), ("sweep point", OutputCell(run.sweepPoint)),
      ("rerun of", OutputCell(run.rerunOf)),
    ]
    // Where a sweep point ran (local or Slurm executors record it).
    let placement = try store.sweepPoint(run: run.id)
    let placed: [(String, OutputCell)] =
      placement.map { p in
        [
          ("executor", .text(p.executor)),
          (
            "slurm job",
            OutputCell(p.executor == "slurm" ? p.jobID.map { job in p.arrayIndex.map { "\(job)_\($0)" } ?? job } : nil)
          ),
          ("node", OutputCell(p.node)), ("queued seconds", OutputCell(p.queuedSeconds.map(OutputCell.rounded))),
          ("run seconds", OutputCell(p.runSeconds.map(OutputCell.rounded))),
        ]
      } ?? []
    let environment: [(String, OutputCell)] = [
      ("engine", .text(run.engineVersion)), ("git", OutputCell(git)), ("host", .text(run.host)),
      ("cpu", OutputCell(run.cpu)), ("blas core type", OutputCell(run.blasCoreType)),
      ("blas threads", OutputCell(run.threads)), ("engine threads", OutputCell(run.engineThreads)),
      ("pid", OutputCell(run.pid)), ("heartbeat", OutputCell(run.heartbeatAt)),
    ]
    let facts = identity + placed + environment
    let stages = try store.stages(run: run.id).map { stage -> [OutputCell] in
      [
        .text(stage.stage), .text(stage.kind), .text(stage.status.rawValue), .text(stage.isCacheHit ? "yes" : "no"),
        OutputCell(stage.seconds.map(OutputCell.rounded)), .text(String(stage.fingerprint.prefix(12))),
        OutputCell(stage.reason),
        OutputCell(stage.error),
      ]
    }
    let metrics = try store.summaries(run: run.id).map { s -> [OutputCell] in
      [
        .text(s.stage), .text(s.key), .text(s.context == "{}" ? "" : s.context), .integer(Int64(s.count)),
        .real(s.last), .integer(Int64(s.lastStep)), .real(s.first), OutputCell(s.min), OutputCell(s.minStep),
        OutputCell(s.max), OutputCell(s.maxStep),
      ]
    }
    let artifacts = try store.artifacts(run: run.id).map { a -> [OutputCell] in
      [.text(a.stage), .text(a.name), .integer(Int64(a.bytes)), .text(a.sha256), .text(a.path)]
    }
    let params = try store.params(run: run.id).map { p -> [OutputCell] in [.text(p.key), .text(p.value)] }
    return [
      OutputTable(title: "run", columns: ["field", "value"], rows: facts.map { [.text($0.0), $0.1] }),
      OutputTable(
        title: "stages",
        columns: ["stage", "kind", "status", "cache hit", "seconds", "fingerprint", "reason", "error"], rows: stages),
      OutputTable(
        title: "metrics",
        columns: [
          "stage", "key", "context", "count", "last", "last step", "first", "min", "min step", "max", "max step",
        ],
        rows: metrics),
      OutputTable(title: "artifacts", columns: ["stage", "name", "bytes", "sha256", "path"], rows: artifacts),
      OutputTable(title: "parameters", columns: ["key", "value"], rows: params),
    ]
  }
}
