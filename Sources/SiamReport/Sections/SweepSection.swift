import Foundation
import SiamPipeline
import SiamStore

/// For a sweep: every headline metric against every swept parameter, one line per
/// combination of the other swept parameters, each point the mean over the runs that
/// share its values (the seeds, when a seed axis exists) with ± one sample standard
/// deviation as error bars.
///
/// Swept parameters are the sweep's axes (`sweep.axes_json`); an axis named `seed` or
/// ending in `.seed` is a seed axis and is averaged over, not plotted. Numeric values
/// give a numeric x axis (log when positive and spanning ≥ 100×), others a categorical one.
struct SweepSection {
  var input: ReportInput

  /// A metric to plot: how to read it from a run, and its title.
  struct Metric {
    var title: String
    var value: (ReportRun, Int) -> Double?
  }

  /// The swept parameter keys, in axis order.
  var axes: [String] {
    if let text = input.sweep?.axesJSON, let json = try? CanonicalJSON.parse(Data(text.utf8)),
      let items = json.arrayValue
    {
      let paths = items.compactMap { $0["path"]?.stringValue }
      if !paths.isEmpty { return paths }
    }
    return input.comparison.differingKeys()
  }

  static func isSeed(_ key: String) -> Bool { key == "seed" || key.hasSuffix(".seed") }

  /// The evaluation results and the pretraining's final loss, each a metric. A kNN
  /// stage's `k` tells metrics apart only when a run has several (`k: [20, 200]`); a
  /// single `k` may be what the sweep varies.
  var metrics: [Metric] {
    let results = EvaluationResult.all(in: input)
    var multipleK = Set<String>()
    for result in results where result.k != nil {
      if results.filter({ $0.run == result.run && $0.stage == result.stage && $0.k != nil }).count > 1 {
        multipleK.insert(result.stage)
      }
    }
    func identity(_ result: EvaluationResult) -> String {
      "\(result.stage)|\(result.kind)|" + (multipleK.contains(result.stage) ? result.k.map(String.init) ?? "" : "")
    }
    var out: [Metric] = []
    var seen = Set<String>()
    for result in results {
      let id = identity(result)
      guard seen.insert(id).inserted else { continue }
      let k = multipleK.contains(result.stage) ? result.k.map { " k=\($0)" } ?? "" : ""
      out.append(
        Metric(title: "\(result.stage)\(k) top-1") { _, index in
          results.first { $0.run == index && identity($0) == id }?.value
        })
    }
    let pretrains = Set(input.runs.flatMap { $0.stages(ofKind: "pretrain") }).sorted()
    for stage in pretrains {
      out.append(
        Metric(title: "\(stage) final loss") { run, _ in run.last(stage: stage, key: "final_loss", context: "{}") })
    }
    return out
  }

  func markup() -> Markup? {
    guard input.sweep != nil else { return nil }
    let axes = self.axes
    let factors = axes.filter { !Self.isSeed($0) }
    let seeded = axes.contains(where: Self.isSeed)
    var children: [Markup] = [
      .element("h2", ["id": "sweep"], text: "Sweep"),
      .element(
        "p", ["class": "note"],
        text: """
          Axes: \(axes.joined(separator: ", ")). \(seeded ? "Points are means over the seed axis; error bars one standard deviation." : "One run per point.")
          """),
    ]
    let metrics = self.metrics
    if factors.isEmpty {
      let rows = metrics.map { metric -> [String] in
        let values = input.runs.indices.compactMap { metric.value(input.runs[$0], $0) }.filter(\.isFinite)
        let stats = ParameterComparison.meanAndDeviation(values)
        return [
          metric.title, stats.map { String(format: "%.4g ± %.2g", $0.mean, $0.deviation) } ?? "—", String(values.count),
        ]
      }
      children.append(HTMLTable(columns: ["metric", "mean ± std", "runs"], rows: rows, kind: "sweep").markup())
      return .element("section", ["id": "sweep-section"], children)
    }
    var figures: [Markup] = []
    for metric in metrics {
      for factor in factors {
        figures.append(
          .element(
            "figure", [:], [chart(metric: metric, factor: factor, others: factors.filter { $0 != factor }).svg()]))
      }
    }
    children.append(.element("div", ["class": "charts"], figures))
    return .element("section", ["id": "sweep-section"], children)
  }

  /// `metric` against `factor`, one line per combination of `others`.
  func chart(metric: Metric, factor: String, others: [String]) -> LineChart {
    let runs = input.runs
    let xValues = Self.sortedValues(runs.compactMap { $0.param(factor) })
    let numeric = xValues.allSatisfy { Double($0) != nil }
    let lineKeys = Self.sortedValues(
      runs.map { run in
        others.map { "\(ParameterComparison.shortKey($0))=\(run.param($0) ?? "—")" }.joined(separator: " ")
      })
    var series: [LineChart.Series] = []
    for (line, lineKey) in lineKeys.enumerated() {
      var points: [LineChart.Point] = []
      for (position, x) in xValues.enumerated() {
        let members = runs.indices.filter { index in
          runs[index].param(factor) == x
            && others.map { "\(ParameterComparison.shortKey($0))=\(runs[index].param($0) ?? "—")" }.joined(
              separator: " ") == lineKey
        }
        let values = members.compactMap { metric.value(runs[$0], $0) }.filter(\.isFinite)
        guard let stats = ParameterComparison.meanAndDeviation(values) else { continue }
        points.append(
          .init(
            x: numeric ? Double(x)! : Double(position), y: stats.mean, error: values.count > 1 ? stats.deviation : nil))
      }
      series.append(.init(name: lineKey.isEmpty ? metric.title : lineKey, points: points, colorIndex: line))
    }
    let numbers = xValues.compactMap(Double.init)
    let logX = numeric && (numbers.min() ?? 0) > 0 && (numbers.max() ?? 0) / (numbers.min() ?? 1) >= 100
    return LineChart(
      title: "\(metric.title) vs \(ParameterComparison.shortKey(factor))", xLabel: factor, yLabel: metric.title,
      series: series, yScale: .linear, xCategories: numeric ? nil : xValues, isLogX: logX)
  }

  /// Distinct values, numerically sorted when all are numbers.
  static func sortedValues(_ values: [String]) -> [String] {
    let distinct = Array(Set(values))
    if distinct.allSatisfy({ Double($0) != nil }) { return distinct.sorted { Double($0)! < Double($1)! } }
    return distinct.sorted()
  }
}
