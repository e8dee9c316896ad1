/// Linear-probe, kNN and fine-tuning accuracy per run as bars, baselines as reference
/// lines.
///
/// Bars are the runs' own results (stages evaluating a `pretrain` or `finetune`
/// encoder); baselines (raw pixels, random init, supervised: see `EvaluationResult`)
/// of any run in the selection are dashed horizontal lines, one per distinct stage and
/// value. A selection with baselines only (e.g. `pipelines/baselines-fashion.yaml`)
/// shows them as bars instead.
struct EvaluationSection {
  var input: ReportInput

  func markup() -> Markup? {
    let results = EvaluationResult.all(in: input)
    guard !results.isEmpty else { return nil }
    var figures: [Markup] = []
    let titles: [EvaluationResult.Kind: String] = [
      .linear: "Linear probe (test top-1)", .knn: "kNN classifier (test top-1)",
      .finetune: "Fine-tuning / supervised (test top-1)",
    ]
    for kind in EvaluationResult.Kind.allCases {
      let subset = results.filter { $0.kind == kind }
      guard !subset.isEmpty else { continue }
      figures.append(.element("figure", [:], [chart(title: titles[kind]!, subset).svg()]))
    }
    return .element(
      "section", ["id": "evaluation-section"],
      [
        .element("h2", ["id": "evaluation"], text: "Evaluation"),
        .element(
          "p", ["class": "note"],
          text: """
            Test accuracy of the evaluation stages (final metrics in the run store). Dashed lines are \
            baselines from the selected runs: a probe on raw pixels, on a random-init encoder or on a \
            supervised encoder, and the supervised model's own head.
            """),
        .element("div", ["class": "charts"], figures),
      ])
  }

  /// The bar chart of one protocol's results.
  func chart(title: String, _ results: [EvaluationResult]) -> BarChart {
    let own = results.filter { $0.baseline == nil }
    let baselines = results.filter { $0.baseline != nil }
    if own.isEmpty {
      // Baselines only: one bar each.
      let names = baselines.map { name(of: $0, withRun: input.runs.count > 1) }
      return BarChart(
        title: title, yLabel: "top-1", groups: names,
        series: [.init(name: "baseline", values: baselines.map(\.value))], isPercent: true)
    }
    let runIndices = Array(Set(own.map(\.run))).sorted()
    let keys = ordered(own.map { SeriesKey(stage: $0.stage, k: $0.k) })
    let severalStages = Set(keys.map(\.stage)).count > 1
    let series = keys.map { key -> BarChart.Series in
      let name = [severalStages ? key.stage : nil, key.k.map { "k=\($0)" }].compactMap { $0 }.joined(separator: " ")
      let values = runIndices.map { index in
        own.first { $0.run == index && $0.stage == key.stage && $0.k == key.k }?.value
      }
      return .init(name: name.isEmpty ? key.stage : name, values: values)
    }
    var references: [BarChart.Reference] = []
    var seen = Set<String>()
    for result in baselines {
      let reference = BarChart.Reference(name: name(of: result, withRun: false), value: result.value)
      let identity = "\(reference.name)|\(reference.value)"
      if seen.insert(identity).inserted { references.append(reference) }
    }
    // The same baseline stage with different values in different runs: name the runs.
    let names = references.map(\.name)
    for index in references.indices where names.filter({ $0 == references[index].name }).count > 1 {
      let result = baselines.first {
        name(of: $0, withRun: false) == references[index].name && $0.value == references[index].value
      }!
      references[index].name += " (\(input.runs[result.run].label))"
    }
    return BarChart(
      title: title, yLabel: "top-1", groups: runIndices.map { input.runs[$0].label }, series: series,
      references: references, isPercent: true)
  }

  /// `pixels_knn k=20 (pixels)` style names.
  func name(of result: EvaluationResult, withRun: Bool) -> String {
    var parts = [result.stage]
    if let k = result.k { parts.append("k=\(k)") }
    if let baseline = result.baseline, !result.stage.contains(baseline.replacingOccurrences(of: " init", with: "")) {
      parts.append("(\(baseline))")
    }
    if withRun { parts.append("· \(input.runs[result.run].label)") }
    return parts.joined(separator: " ")
  }

  struct SeriesKey: Hashable {
    var stage: String
    var k: Int?
  }

  /// Distinct keys in first-seen order.
  private func ordered(_ keys: [SeriesKey]) -> [SeriesKey] {
    var seen = Set<SeriesKey>()
    return keys.filter { seen.insert($0).inserted }
  }
}
