/// Training curves of the pretrain stages, every run overlaid: loss, learning rate,
/// EMA momentum τ and temperature (when they change), positive vs negative similarity,
/// embedding std (collapse) and the kNN monitor's accuracy.
///
/// Each curve uses the per-step series (`{"per":"step"}` context, recorded when the
/// stage executed) when the run has one, else the per-epoch series (`{}`; cache hits
/// have only these), both against the global step. A chart appears only when some run
/// has its metric.
struct CurvesSection {
  var input: ReportInput

  /// A chart: its title, y label, y scale and the metric keys it overlays (a second key
  /// is drawn dashed); `isSkippedWhenConstant` leaves out a chart of flat lines (a
  /// fixed temperature).
  struct Plot {
    var title: String
    var yLabel: String
    var keys: [String]
    var yScale: LineChart.YScale
    var isSkippedWhenConstant = false
  }

  static let plots = [
    Plot(title: "Training loss", yLabel: "loss", keys: ["loss"], yScale: .automatic),
    Plot(title: "Learning rate", yLabel: "learning rate", keys: ["lr"], yScale: .automatic),
    Plot(title: "EMA momentum m", yLabel: "momentum", keys: ["momentum"], yScale: .linear, isSkippedWhenConstant: true),
    Plot(
      title: "Temperature", yLabel: "temperature", keys: ["temperature"], yScale: .linear, isSkippedWhenConstant: true),
    Plot(
      title: "Positive vs negative similarity", yLabel: "cosine similarity",
      keys: ["positive_similarity", "negative_similarity"], yScale: .linear),
    Plot(title: "Embedding std (collapse → 0)", yLabel: "std per dimension", keys: ["embedding_std"], yScale: .linear),
    Plot(title: "kNN monitor accuracy", yLabel: "top-1", keys: ["monitor_knn_top1"], yScale: .linear),
  ]

  /// (run index, pretrain stage) of every curve, with its legend name.
  var curves: [(run: Int, stage: String, name: String)] {
    let pretrains = input.runs.enumerated().flatMap { index, run in run.stages(ofKind: "pretrain").map { (index, $0) } }
    let several = Set(pretrains.map(\.1)).count > 1 || pretrains.count > Set(pretrains.map(\.0)).count
    return pretrains.map { index, stage in
      (index, stage, several ? "\(input.runs[index].label) · \(stage)" : input.runs[index].label)
    }
  }

  func markup() -> Markup? {
    let curves = self.curves
    guard !curves.isEmpty else { return nil }
    var figures: [Markup] = []
    for plot in Self.plots {
      var series: [LineChart.Series] = []
      for (colorIndex, curve) in curves.enumerated() {
        for (k, key) in plot.keys.enumerated() {
          let points = points(run: input.runs[curve.run], stage: curve.stage, key: key)
          guard !points.isEmpty else { continue }
          let name =
            plot.keys.count > 1 ? "\(curve.name) \(key.replacingOccurrences(of: "_similarity", with: ""))" : curve.name
          series.append(.init(name: name, points: points, colorIndex: colorIndex, isDashed: k > 0))
        }
      }
      guard !series.isEmpty else { continue }
      if plot.isSkippedWhenConstant, Set(series.flatMap(\.points).map(\.y)).count == 1 { continue }
      let chart = LineChart(title: plot.title, xLabel: "step", yLabel: plot.yLabel, series: series, yScale: plot.yScale)
      figures.append(.element("figure", [:], [chart.svg()]))
    }
    guard !figures.isEmpty else { return nil }
    return .element(
      "section", ["id": "curves-section"],
      [
        .element("h2", ["id": "curves"], text: "Training curves"),
        .element(
          "p", ["class": "note"],
          text: """
            Pretraining metrics from the run store against the training step: per step where the stage \
            executed in that run (every 50th step and the last of each epoch), per epoch where it came \
            from the cache. Log y where a metric spans more than a factor of \(Int(LineChart.logThreshold)).
            """),
        .element("div", ["class": "charts"], figures),
      ])
  }

  /// The per-step series of `key`, else its per-epoch series (the kNN monitor's context
  /// is not `{}`: any context of it is taken).
  func points(run: ReportRun, stage: String, key: String) -> [LineChart.Point] {
    let contexts = run.contexts(stage: stage, key: key)
    let context =
      contexts.contains("{\"per\":\"step\"}")
      ? "{\"per\":\"step\"}"
      : contexts.contains("{}") ? "{}" : contexts.first
    guard let context else { return [] }
    return run.series(stage: stage, key: key, context: context).map { .init(x: Double($0.step), y: $0.value) }
  }
}
