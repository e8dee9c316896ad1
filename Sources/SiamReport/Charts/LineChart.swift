import Foundation

/// A line chart: one `<polyline class="series series-i">` per series over a numeric or
/// categorical x axis, with point markers, optional error bars (± `error`) and a legend.
///
/// The y axis is linear or log (base 10); `.automatic` picks log when every value is
/// positive and the largest is at least `logThreshold` times the smallest (loss and
/// learning-rate curves spanning decades). Non-finite values are skipped, and so are
/// values ≤ 0 on a log axis.
public struct LineChart: Sendable {
  /// One point; `error` draws a bar from `y − error` to `y + error`.
  public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var error: Double?

    public init(x: Double, y: Double, error: Double? = nil) {
      self.x = x
      self.y = y
      self.error = error
    }
  }

  /// A named line.
  public struct Series: Sendable, Hashable {
    public var name: String
    public var points: [Point]
    /// Colour index into `Palette` (defaults to the series' position).
    public var colorIndex: Int?
    /// Draw dashed (e.g. the negative of a positive/negative pair).
    public var isDashed: Bool

    public init(name: String, points: [Point], colorIndex: Int? = nil, isDashed: Bool = false) {
      self.name = name
      self.points = points
      self.colorIndex = colorIndex
      self.isDashed = isDashed
    }
  }

  /// Which y scale to use.
  public enum YScale: Sendable, Hashable {
    case linear, log, automatic
  }

  public var title: String
  public var xLabel: String?
  public var yLabel: String?
  public var series: [Series]
  public var yScale: YScale = .automatic
  /// Labels of a categorical x axis: point `x` = index into it.
  public var xCategories: [String]?
  /// Log x (e.g. a learning-rate sweep); ignored unless every x is positive.
  public var isLogX = false
  public var frame = ChartFrame()
  public static let logThreshold = 20.0

  public init(
    title: String, xLabel: String? = nil, yLabel: String? = nil, series: [Series], yScale: YScale = .automatic,
    xCategories: [String]? = nil, isLogX: Bool = false
  ) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
    self.yScale = yScale
    self.xCategories = xCategories
    self.isLogX = isLogX
  }

  /// The y scale kind used for `series`.
  public var resolvedYScale: AxisScale.Kind {
    let values = series.flatMap(\.points).map(\.y).filter(\.isFinite)
    switch yScale {
    case .linear: return .linear
    case .log: return values.contains { $0 > 0 } ? .log : .linear
    case .automatic:
      guard let low = values.min(), let high = values.max(), low > 0 else { return .linear }
      return high / low >= Self.logThreshold ? .log : .linear
    }
  }

  /// The chart as an `<svg>` element.
  public func svg() -> Markup {
    let yKind = resolvedYScale
    let xLog = isLogX && xCategories == nil && series.flatMap(\.points).allSatisfy { $0.x > 0 }
    let usable = series.map { s in
      s.points.filter { $0.x.isFinite && $0.y.isFinite && (yKind == .linear || $0.y > 0) && (!xLog || $0.x > 0) }
    }
    let all = usable.flatMap { $0 }
    let f = frame
    guard !all.isEmpty else {
      let note = Markup.element(
        "text",
        [
          "class": "empty", "x": Markup.number((f.plotLeft + f.plotRight) / 2),
          "y": Markup.number((f.plotTop + f.plotBottom) / 2),
          "text-anchor": "middle",
        ], text: "no data")
      return f.svg(title: title, kind: "line-chart", body: [note], legend: [])
    }
    var yLow = all.map { $0.y - (yKind == .linear ? ($0.error ?? 0) : 0) }.min()!
    let yHigh = all.map { $0.y + ($0.error ?? 0) }.max()!
    if yKind == .linear, yLow > 0, yLow < 0.25 * yHigh { yLow = 0 }
    if yKind == .log { yLow = max(yLow, .leastNormalMagnitude) }
    let yScale = AxisScale(kind: yKind, lower: yLow, upper: yHigh, start: f.plotBottom, end: f.plotTop).nicened()
    let xScale: AxisScale
    let xTicks: [(Double, String)]
    if let categories = xCategories {
      xScale = AxisScale(
        lower: -0.5, upper: Double(max(categories.count, 1)) - 0.5, start: f.plotLeft, end: f.plotRight)
      xTicks = categories.enumerated().map { (Double($0.offset), $0.element) }
    } else {
      let xs = all.map(\.x)
      let raw = AxisScale(
        kind: xLog ? .log : .linear, lower: xs.min()!, upper: xs.max()!, start: f.plotLeft, end: f.plotRight)
      xScale = xLog ? raw : raw.nicened()
      xTicks = ChartFrame.labelledTicks(xScale)
    }
    var body: [Markup] = [
      f.yAxis(yScale, ticks: ChartFrame.labelledTicks(yScale), label: yLabel),
      f.xAxis(xScale, ticks: xTicks, label: xLabel, grid: xCategories == nil),
    ]
    var legend: [ChartFrame.LegendEntry] = []
    for (index, s) in series.enumerated() {
      let colorIndex = s.colorIndex ?? index
      let color = Palette.color(colorIndex)
      let dash = s.isDashed ? "5 3" : Palette.dash(colorIndex)
      let points = usable[index].sorted { $0.x < $1.x }
      body.append(seriesMarkup(points, index: index, color: color, dash: dash, x: xScale, y: yScale))
      legend.append(.init(s.name, .line(color: color, dash: dash)))
    }
    return f.svg(
      title: title, kind: "line-chart", body: body,
      legend: series.count > 1 || series.first?.name.isEmpty == false ? legend : [])
  }

  private func seriesMarkup(
    _ points: [Point], index: Int, color: String, dash: String?, x: AxisScale, y: AxisScale
  ) -> Markup {
    let coordinates = points.map { "\(Markup.number(x.position($0.x))),\(Markup.number(y.position($0.y)))" }
    var line = Markup.element(
      "polyline",
      [
        "class": "line", "points": coordinates.joined(separator: " "), "fill": "none", "stroke": color,
        "stroke-width": "2",
      ])
    if let dash { line = line.adding("stroke-dasharray", dash) }
    var children = [line]
    if points.count <= 40 {
      for p in points {
        children.append(
          .element(
            "circle",
            [
              "class": "marker", "cx": Markup.number(x.position(p.x)), "cy": Markup.number(y.position(p.y)), "r": "2.5",
              "fill": color,
            ]))
      }
    }
    for p in points {
      guard let error = p.error, error > 0, error.isFinite else { continue }
      let cx = x.position(p.x)
      let low = y.position(y.kind == .log ? max(p.y - error, y.lower) : p.y - error)
      let high = y.position(p.y + error)
      let d =
        "M\(Markup.number(cx)) \(Markup.number(low))V\(Markup.number(high))"
        + "M\(Markup.number(cx - 4)) \(Markup.number(low))h8M\(Markup.number(cx - 4)) \(Markup.number(high))h8"
      children.append(.element("path", ["class": "error-bar", "d": d, "stroke": color, "fill": "none"]))
    }
    return .element("g", ["class": "series series-\(index)"], children)
  }
}
