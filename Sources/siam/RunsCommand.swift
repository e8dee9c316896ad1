import ArgumentParser
import Foundation
import SiamStore

struct RunsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runs",
    abstract: "List recorded runs, newest first, with their headline metrics.",
    discussion: HelpText.reflowed(
      """
      Headline metrics: each stage's main result (top-1 accuracy of evaluations, final loss
      of pretraining), as stage.key=value.

      Examples:
        siam runs
        siam runs --pipeline quickstart --status finished --limit 10
        siam runs --sweep SWEEP --format csv
      """)
  )

  @Option(name: .long, help: "Only runs of this pipeline (its name: key).")
  var pipeline: String?

  @Option(name: .long, help: "Only runs of this sweep.")
  var sweep: String?

  @Option(name: .long, help: "Only runs with this status: running, finished, failed or killed.")
  var status: RunRecord.Status?

  @Option(name: .long, help: "At most this many runs.")
  var limit: Int?

  @OptionGroup var output: StoreOptions

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let store = try output.open()
    let runs = try output.reporting { () throws(StoreError) in
      try store.runs(pipeline: pipeline, sweep: sweep, status: status, limit: limit)
    }
    // With --sweep: where each point ran (executor, Slurm job, node, seconds queued).
    let placements = try sweep.map { id in
      Dictionary(
        try output.reporting { () throws(StoreError) in try store.sweepPoints(sweep: id) }.compactMap { row in
          row.runID.map { ($0, row) }
        }, uniquingKeysWith: { first, _ in first })
    }
    var rows: [[OutputCell]] = []
    for run in runs {
      let summaries = try output.reporting { () throws(StoreError) in try store.summaries(run: run.id) }
      var row: [OutputCell] = [
        .text(run.id), .text(run.pipeline), .text(run.status.rawValue), .text(String(run.startedAt.prefix(19))),
        OutputCell(run.seconds.map(OutputCell.rounded)), OutputCell(run.sweepID),
      ]
      if let placements {
        let placement = placements[run.id]
        row += [
          OutputCell(run.sweepPoint.map { $0 + 1 }), OutputCell(placement?.executor ?? "in-process"),
          OutputCell(placement?.jobID.map { job in placement?.arrayIndex.map { "\(job)_\($0)" } ?? job }),
          OutputCell(placement?.node), OutputCell(placement?.queuedSeconds.map(OutputCell.rounded)),
        ]
      }
      rows.append(row + [.text(Self.headline(summaries))])
    }
    let placementColumns = placements == nil ? [] : ["point", "executor", "job", "node", "queued s"]
    output.print([
      OutputTable(
        columns: ["run", "pipeline", "status", "started", "seconds", "sweep"] + placementColumns + ["metrics"],
        rows: rows)
    ])
    if output.format == .table, let first = runs.first {
      print(
        runs.count > 1
          ? "Next: siam show \(first.id)   or   siam compare \(first.id) \(runs[1].id)" : "Next: siam show \(first.id)")
    }
  }

  /// Keys that headline a stage, best first.
  static let headlineKeys = [
    "linear_top1", "knn_top1", "finetune_top1", "supervised_top1", "final_loss", "effective_rank",
  ]

  /// `stage.key=value` for each stage's first headline key (test split).
  static func headline(_ summaries: [MetricSummaryRecord]) -> String {
    var stages: [String] = []
    var best: [String: (rank: Int, text: String)] = [:]
    for summary in summaries where !summary.context.contains(#""split":"train""#) {
      guard let rank = headlineKeys.firstIndex(of: summary.key) else { continue }
      if best[summary.stage] == nil { stages.append(summary.stage) }
      if let current = best[summary.stage], current.rank <= rank { continue }
      best[summary.stage] = (rank, "\(summary.stage).\(summary.key)=\(OutputCell.short(summary.last))")
    }
    return stages.compactMap { best[$0]?.text }.joined(separator: " ")
  }
}

extension RunRecord.Status: ExpressibleByArgument {}
