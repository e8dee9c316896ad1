import Foundation

/// The runs side by side: only the parameters that differ between them (as `siam
/// compare` shows them), then every final metric of every run.
///
/// With one run, the table lists its headline parameters instead (method, encoder,
/// optimizer, epochs, batch size).
struct ComparisonSection {
  var input: ReportInput

  /// Parameter key suffixes shown for a single run.
  static let headline = [
    ".method.type", ".method.temperature", ".encoder.type", ".optimizer.type", ".optimizer.lr", ".epochs",
    ".batch_size",
    ".k",
  ]

  func markup() -> Markup {
    let runs = input.runs
    let columns = ["parameter"] + runs.map(\.label)
    var children: [Markup] = [.element("h2", ["id": "parameters"], text: "Parameters and final metrics")]
    if runs.count > 1 {
      let keys = input.comparison.differingKeys()
      children.append(.element("h3", text: "Parameters that differ"))
      if keys.isEmpty {
        children.append(.element("p", ["class": "note"], text: "The runs have identical parameters."))
      } else {
        let rows = keys.map { key in [key] + runs.map { $0.param(key) ?? "—" } }
        children.append(HTMLTable(columns: columns, rows: rows, kind: "parameters").markup())
      }
    } else if let run = runs.first {
      let keys = run.params.keys.filter { key in
        key.hasPrefix("stages.") && Self.headline.contains { key.hasSuffix($0) } && !key.contains(".views.")
      }.sorted()
      children.append(.element("h3", text: "Headline parameters"))
      children.append(
        HTMLTable(columns: columns, rows: keys.map { [$0, run.param($0) ?? "—"] }, kind: "parameters").markup())
    }
    children.append(.element("h3", text: "Final metrics"))
    children.append(
      HTMLTable(columns: ["stage", "metric", "context"] + runs.map(\.label), rows: metricRows(), kind: "metrics")
        .markup())
    return .element("section", ["id": "parameters-section"], children)
  }

  /// One row per (stage, key, context) with a final value in some run; per-step series
  /// and timings are left out.
  func metricRows() -> [[String]] {
    var order: [[String]] = []
    var seen = Set<[String]>()
    for run in input.runs {
      for stage in run.stages.map(\.stage) {
        for metric in run.metrics where metric.stage == stage && metric.context != #"{"per":"step"}"# {
          let id = [metric.stage, metric.key, metric.context]
          if Self.skipped.contains(metric.key) { continue }
          if seen.insert(id).inserted { order.append(id) }
        }
      }
    }
    return order.map { id in
      let context = id[2] == "{}" ? "" : id[2]
      return [id[0], id[1], context]
        + input.runs.map { run in
          run.last(stage: id[0], key: id[1], context: id[2]).map(Self.format) ?? "—"
        }
    }
  }

  /// Per-epoch bookkeeping that would swamp the table.
  static let skipped: Set<String> = ["epoch_seconds", "data_wait_fraction", "images_per_second", "seconds"]

  static func format(_ value: Double) -> String {
    if !value.isFinite { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    if value == value.rounded(), abs(value) < 1e12 { return String(Int64(value)) }
    return String(format: "%.4g", value)
  }
}
