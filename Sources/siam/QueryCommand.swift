import ArgumentParser
import SiamStore

struct QueryCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "query",
    abstract: "Run one read-only SQL statement against the run store.",
    discussion: HelpText.reflowed(
      """
      Tables: run, stage_run, param, metric, metric_summary, artifact, sweep, sweep_point.
      Views: final_metric (the last value of each metric series) and run_param (parameters
      with plain values). A statement that would write is refused; reading PRAGMAs work. A
      statement is stopped after --timeout seconds (default 10) and a result of more than
      --max-rows rows (default 1,000,000) is refused. Schema: docs/store.md.

      Examples:
        siam query "SELECT id, pipeline, status FROM run ORDER BY started_at DESC LIMIT 5"
        siam query "SELECT run, value FROM final_metric WHERE key = 'knn_top1'" --format csv
        siam query "SELECT p.value AS temperature, avg(f.value) AS knn_top1, count(*) AS runs
                    FROM run_param p JOIN final_metric f ON f.run = p.run
                    WHERE p.key = 'stages.pretrain.method.temperature' AND f.key = 'knn_top1'
                    GROUP BY temperature ORDER BY knn_top1 DESC" --format markdown
      """)
  )

  @Argument(help: "One SQL statement (SELECT, WITH ... SELECT, read-only PRAGMA).")
  var sql: String

  @Option(name: .customLong("arg"), help: "A value bound to the next `?` of the statement (repeatable).")
  var arguments: [String] = []

  @Option(name: .long, help: "Stop the statement after this many seconds (0: no limit).")
  var timeout: Double = RunStore.defaultQueryTimeout

  @Option(name: .customLong("max-rows"), help: "Refuse a result of more rows than this (what is held in memory).")
  var maxRows = RunStore.defaultMaxRows

  @OptionGroup var output: StoreOptions

  func validate() throws {
    guard timeout >= 0, timeout.isFinite else {
      throw ValidationError("--timeout must be a number of seconds ≥ 0, got \(timeout)")
    }
    guard maxRows >= 1 else { throw ValidationError("--max-rows must be at least 1, got \(maxRows)") }
  }

  func run() throws {
    let result = try output.reporting { () throws(StoreError) in
      try RunStore.query(path: output.path, sql: sql, arguments: arguments, timeout: timeout, maxRows: maxRows)
    }
    output.print([OutputTable(columns: result.columns, rows: result.rows.map { $0.map(OutputCell.init) })])
  }
}
