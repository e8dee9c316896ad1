import ArgumentParser
import Foundation
import SiamStore

struct CompareCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compare",
    abstract: "Compare runs: only the parameters that differ, and final metrics side by side.",
    discussion: HelpText.reflowed(
      """
      RUN is a run id or a unique prefix. --sweep compares the runs of a sweep; --group-by
      KEY groups runs by a parameter (a dotted key, or a unique suffix of one such as
      method.temperature) and reports each metric as mean ± standard deviation over the
      runs of each group (e.g. over seeds).

      Examples:
        siam compare 20261129-031502-a3f9 20261129-034010-7c21
        siam compare --sweep SWEEP --group-by method.temperature
        siam compare RUN1 RUN2 RUN3 --group-by stages.pretrain.method.type --format markdown
      """)
  )

  @Argument(help: "Run ids or unique prefixes (at least two, unless --sweep).", completion: RunFolders.completion)
  var runs: [String] = []

  @Option(name: .long, help: "Compare the runs of this sweep.")
  var sweep: String?

  @Option(name: .customLong("group-by"), help: "Group runs by this parameter; metrics as mean ± std per group.")
  var groupBy: String?

  @OptionGroup var output: StoreOptions

  func validate() throws {
    if sweep != nil, !runs.isEmpty { throw ValidationError("give run ids or --sweep, not both") }
    if sweep == nil, runs.count < (groupBy == nil ? 2 : 1) {
      throw ValidationError("give at least two runs to compare, or --sweep ID")
    }
  }

  func run() throws {
    let store = try output.open()
    let tables = try output.reporting { () throws(StoreError) -> [OutputTable] in
      let records: [RunRecord]
      if let sweep {
        _ = try store.sweep(id: sweep)
        records = try store.runs(sweep: sweep).reversed()
        if records.isEmpty { throw StoreError(.notFound, "sweep '\(sweep)' has no runs yet", path: store.path) }
      } else {
        records = try runs.map { id throws(StoreError) in try store.run(matching: id) }
      }
      let comparison = try RunComparison(store: store, runs: records)
      guard let groupBy else { return comparison.tables() }
      return try comparison.groupedTables(by: groupBy)
    }
    output.print(tables)
  }
}

/// The parameters and final metrics of several runs, side by side or grouped.
struct RunComparison {
  var runs: [RunRecord]
  /// Per run: key → JSON text.
  var params: [[String: String]]
  /// Per run: the metric summaries.
  var summaries: [[MetricSummaryRecord]]

  init(store: RunStore, runs: [RunRecord]) throws(StoreError) {
    self.runs = runs
    params = try runs.map { run throws(StoreError) in
      Dictionary(try store.params(run: run.id).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
    summaries = try runs.map { run throws(StoreError) in try store.summaries(run: run.id) }
  }

  /// Keys whose values (or presence) are not the same in every run, sorted.
  func differingKeys(excluding excluded: Set<String> = []) -> [String] {
    ParameterComparison(params: params).differingKeys(excluding: excluded)
  }

  /// (stage, key, context) of every metric series, in order of first appearance.
  var series: [[String]] {
    var seen = Set<[String]>()
    var out: [[String]] = []
    for list in summaries {
      for s in list where seen.insert([s.stage, s.key, s.context]).inserted { out.append([s.stage, s.key, s.context]) }
    }
    return out
  }

  func last(_ run: Int, _ series: [String]) -> Double? {
    summaries[run].first { [$0.stage, $0.key, $0.context] == series }?.last
  }

  static func plain(_ json: String?) -> OutputCell {
    guard let json else { return .null }
    let text = ParameterComparison.plain(json)
    if text == json, let number = Double(json) { return .real(number) }
    return .text(text)
  }

  static func seriesCells(_ series: [String]) -> [OutputCell] {
    [.text(series[0]), .text(series[1]), .text(series[2] == "{}" ? "" : series[2])]
  }

  func tables() -> [OutputTable] {
    let ids = runs.map(\.id)
    let differing = differingKeys()
    var paramRows = [[.text("status")] + runs.map { OutputCell.text($0.status.rawValue) }]
    paramRows += differing.map { key in [.text(key)] + params.map { Self.plain($0[key]) } }
    let metricRows = series.map { series in
      Self.seriesCells(series) + runs.indices.map { OutputCell(last($0, series)) }
    }
    return [
      OutputTable(title: "parameters that differ", columns: ["key"] + ids, rows: paramRows),
      OutputTable(title: "final metrics", columns: ["stage", "key", "context"] + ids, rows: metricRows),
    ]
  }

  /// The parameter key `name` names: itself, or the only key ending with `.name`.
  func resolveKey(_ name: String) throws(StoreError) -> String {
    let keys = Set(params.flatMap(\.keys))
    if keys.contains(name) { return name }
    let matches = keys.filter { $0.hasSuffix("." + name) }.sorted()
    guard matches.count == 1 else {
      let hint = matches.isEmpty ? "no parameter key ends with it" : "it could be \(matches.joined(separator: ", "))"
      throw StoreError(.notFound, "--group-by \(name): \(hint) (siam show RUN lists the keys)")
    }
    return matches[0]
  }

  func groupedTables(by name: String) throws(StoreError) -> [OutputTable] {
    let key = try resolveKey(name)
    var groups: [String] = []
    var members: [String: [Int]] = [:]
    for (index, run) in params.enumerated() {
      let value = Self.plain(run[key]).displayText
      if members[value] == nil { groups.append(value) }
      members[value, default: []].append(index)
    }
    let groupRows = groups.map { value -> [OutputCell] in
      [
        .text(value), .integer(Int64(members[value]!.count)),
        .text(members[value]!.map { runs[$0].id }.joined(separator: " ")),
      ]
    }
    let varying = differingKeys(excluding: [key]).map { other -> [OutputCell] in
      let values = Set(params.map { Self.plain($0[other]).displayText }).sorted()
      return [.text(other), .text(values.joined(separator: ", "))]
    }
    let metricRows = series.map { series -> [OutputCell] in
      Self.seriesCells(series)
        + groups.map { value in
          let values = members[value]!.compactMap { last($0, series) }.filter(\.isFinite)
          return .text(Self.meanAndDeviation(values))
        }
    }
    return [
      OutputTable(title: "groups", columns: [key, "runs", "ids"], rows: groupRows),
      OutputTable(title: "averaged over", columns: ["key", "values"], rows: varying),
      OutputTable(
        title: "final metrics (mean ± std)", columns: ["stage", "key", "context"] + groups.map { "\(name)=\($0)" },
        rows: metricRows),
    ]
  }

  /// `mean ± sample standard deviation (n)`; empty for no values.
  static func meanAndDeviation(_ values: [Double]) -> String {
    guard let (mean, deviation) = ParameterComparison.meanAndDeviation(values) else { return "" }
    return "\(OutputCell.short(mean)) ± \(OutputCell.short(deviation)) (n=\(values.count))"
  }
}
