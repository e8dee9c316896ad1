import Foundation

/// A grouped bar chart with horizontal reference lines: one `<g class="series
/// series-i">` of `<rect class="bar">` per series (one bar per group), each bar
/// labelled with its value, and `<g class="reference">` dashed lines for baselines.
///
/// The y axis starts at 0 (accuracies, counts); `isPercent` prints values in `[0, 1]`
/// as percentages.
public struct BarChart: Sendable {
  /// One bar per group; nil where the series has no value for that group.
  public struct Series: Sendable, Hashable {
    public var name: String
    public var values: [Double?]

    public init(name: String, values: [Double?]) {
      self.name = name
      self.values = values
    }
  }

  /// A horizontal line across the plot at `value` (a baseline).
  public struct Reference: Sendable, Hashable {
    public var name: String
    public var value: Double

    public init(name: String, value: Double) {
      self.name = name
      self.value = value
    }
  }

  public var title: String
  public var yLabel: String?
  /// The categories along x (runs).
  public var groups: [String]
  public var series: [Series]
  public var references: [Reference]
  public var isPercent: Bool
  public var frame = ChartFrame()

  public init(
    title: String, yLabel: String? = nil, groups: [String], series: [Series], references: [Reference] = [],
    isPercent: Bool = false
  ) {
    self.title = title
    self.yLabel = yLabel
    self.groups = groups
    self.series = series
    self.references = references
    self.isPercent = isPercent
  }

  /// `value` as a bar or reference label.
  public func format(_ value: Double) -> String {
    isPercent ? String(format: "%.1f%%", value * 100) : String(format: "%.4g", value)
  }

  /// The chart as an `<svg>` element.
  public func svg() -> Markup {
    var f = frame
    // Long group names are drawn rotated; leave room for them.
    let longest = groups.map(\.count).max() ?? 0
    let rotate = longest * 7 > Int((f.plotRight - f.plotLeft) / Double(max(groups.count, 1))) - 8
    if rotate { f.bottom = min(150, 30 + Double(longest) * 4.6) }
    let values =
      series.flatMap(\.values).compactMap { $0 }.filter(\.isFinite) + references.map(\.value).filter(\.isFinite)
    let high = max(values.max() ?? 1, 0) * 1.08
    let top = isPercent ? min(max(high, 0.1), 1) : (high > 0 ? high : 1)
    let yScale = AxisScale(lower: min(values.min() ?? 0, 0), upper: top, start: f.plotBottom, end: f.plotTop).nicened()
    let yTicks = ChartFrame.labelledTicks(yScale).map {
      ($0.0, isPercent ? String(format: "%.0f%%", $0.0 * 100) : $0.1)
    }
    let groupWidth = (f.plotRight - f.plotLeft) / Double(max(groups.count, 1))
    let xScale = AxisScale(lower: -0.5, upper: Double(max(groups.count, 1)) - 0.5, start: f.plotLeft, end: f.plotRight)
    var body: [Markup] = [f.yAxis(yScale, ticks: yTicks, label: yLabel)]
    body.append(groupAxis(f, xScale, rotate: rotate))
    let barWidth = min(48, groupWidth * 0.8 / Double(max(series.count, 1)))
    // Each group's bars are centred on it: a group lacking some series has no gaps.
    let present = groups.indices.map { g in
      series.indices.filter { s in g < series[s].values.count && series[s].values[g].map(\.isFinite) == true }
    }
    var legend: [ChartFrame.LegendEntry] = []
    for (s, item) in series.enumerated() {
      let color = Palette.color(s)
      var bars: [Markup] = []
      for (g, value) in item.values.enumerated() where g < groups.count {
        guard let value, value.isFinite, let slot = present[g].firstIndex(of: s) else { continue }
        let x = xScale.position(Double(g)) - barWidth * Double(present[g].count) / 2 + barWidth * Double(slot)
        let y0 = yScale.position(0)
        let y1 = yScale.position(value)
        bars.append(
          .element(
            "rect",
            [
              "class": "bar", "x": Markup.number(x + 1), "y": Markup.number(min(y0, y1)),
              "width": Markup.number(max(barWidth - 2, 1)),
              "height": Markup.number(abs(y0 - y1)), "fill": color,
            ], [.element("title", text: "\(item.name) · \(groups[g]): \(format(value))")]))
        bars.append(
          .element(
            "text",
            [
              "class": "bar-value", "x": Markup.number(x + barWidth / 2), "y": Markup.number(min(y0, y1) - 3),
              "text-anchor": "middle",
            ], text: format(value)))
      }
      body.append(.element("g", ["class": "series series-\(s)"], bars))
      legend.append(.init(item.name, .box(color: color)))
    }
    let finite = references.indices.filter { references[$0].value.isFinite }
    let labelY = Dictionary(
      uniqueKeysWithValues: zip(
        finite, Self.separated(finite.map { yScale.position(references[$0].value) - 3 }, spacing: 11)))
    for (r, reference) in references.enumerated() where reference.value.isFinite {
      let y = yScale.position(reference.value)
      let color = "#555555"
      let dash = ["6 3", "2 2", "8 2 2 2", "1 3"][r % 4]
      body.append(
        .element(
          "g", ["class": "reference"],
          [
            f.line(f.plotLeft, y, f.plotRight, y, "reference-line").adding("stroke", color).adding(
              "stroke-dasharray", dash),
            .element(
              "text",
              [
                "class": "reference-label", "x": Markup.number(f.plotRight - 2), "y": Markup.number(labelY[r]!),
                "text-anchor": "end",
              ], text: "\(reference.name) \(format(reference.value))"),
          ]))
      legend.append(.init("\(reference.name) (\(format(reference.value)))", .line(color: color, dash: dash)))
    }
    return f.svg(title: title, kind: "bar-chart", body: body, legend: legend)
  }

  /// Label baselines `ys` (in pixels, any order) moved apart so that labels of close
  /// reference lines do not overlap: taken from the top down, each label sits at least
  /// `spacing` below the one above it. Returned in the order given.
  static func separated(_ ys: [Double], spacing: Double) -> [Double] {
    var result = ys
    var previous = -Double.infinity
    for index in ys.indices.sorted(by: { ys[$0] < ys[$1] }) {
      result[index] = max(ys[index], previous + spacing)
      previous = result[index]
    }
    return result
  }

  /// The x axis: a baseline and one label per group (rotated when they are long).
  private func groupAxis(_ f: ChartFrame, _ x: AxisScale, rotate: Bool) -> Markup {
    var children: [Markup] = [f.line(f.plotLeft, f.plotBottom, f.plotRight, f.plotBottom, "domain")]
    for (g, name) in groups.enumerated() {
      let cx = x.position(Double(g))
      let y = f.plotBottom + 16
      var label = Markup.element(
        "text",
        [
          "x": Markup.number(cx), "y": Markup.number(y), "text-anchor": rotate ? "end" : "middle",
        ], text: name)
      if rotate { label = label.adding("transform", "rotate(-35 \(Markup.number(cx)) \(Markup.number(y)))") }
      children.append(label)
    }
    return .element("g", ["class": "axis x"], children)
  }
}
