/// What every chart draws around its data: the `<svg>` root with its title, the plot
/// area, the axes (`<g class="axis x">`, `<g class="axis y">`) with ticks, grid lines
/// and labels, and the legend below the plot.
///
/// Sizes are in SVG user units (pixels at 100 %); the root has a `viewBox` and scales
/// with the page (CSS `width: 100%`).
public struct ChartFrame: Sendable, Hashable {
  /// Total width.
  public var width: Double = 520
  /// Height of the plot area.
  public var plotHeight: Double = 240
  public var left: Double = 62
  public var right: Double = 18
  public var top: Double = 34
  /// Space under the plot for tick labels and the x-axis label.
  public var bottom: Double = 44

  public init(width: Double = 520, plotHeight: Double = 240, left: Double = 62, bottom: Double = 44) {
    self.width = width
    self.plotHeight = plotHeight
    self.left = left
    self.bottom = bottom
  }

  /// The plot area's edges.
  public var plotLeft: Double { left }
  public var plotRight: Double { width - right }
  public var plotTop: Double { top }
  public var plotBottom: Double { top + plotHeight }

  /// How a legend entry is drawn.
  public enum Swatch: Sendable, Hashable {
    case line(color: String, dash: String?)
    case box(color: String)
    case dot(color: String)
  }

  /// One legend entry.
  public struct LegendEntry: Sendable, Hashable {
    public var name: String
    public var swatch: Swatch

    public init(_ name: String, _ swatch: Swatch) {
      self.name = name
      self.swatch = swatch
    }
  }

  /// The `<svg>` root: `title` as its `<title>` and a visible heading, `body` inside,
  /// the legend below the plot; the height grows with the legend's rows.
  public func svg(title: String, kind: String, body: [Markup], legend: [LegendEntry]) -> Markup {
    let (legendMarkup, legendHeight) = self.legend(legend, top: plotBottom + bottom)
    let height = plotBottom + bottom + legendHeight + 6
    var children: [Markup] = [
      .element("title", text: title),
      .element("text", ["class": "chart-title", "x": Markup.number(left), "y": "20"], text: title),
    ]
    children += body
    if let legendMarkup { children.append(legendMarkup) }
    return .element(
      "svg",
      [
        "xmlns": "http://www.w3.org/2000/svg", "class": "chart " + kind, "role": "img",
        "viewBox": "0 0 \(Markup.number(width)) \(Markup.number(height))",
        "width": Markup.number(width), "height": Markup.number(height),
      ], children)
  }

  /// A horizontal axis at the bottom of the plot: line, ticks, tick labels, optional
  /// vertical grid lines and the axis label.
  public func xAxis(_ scale: AxisScale, ticks: [(Double, String)], label: String?, grid: Bool = true) -> Markup {
    var children: [Markup] = [line(plotLeft, plotBottom, plotRight, plotBottom, "domain")]
    for (value, text) in ticks {
      let x = scale.position(value)
      if grid { children.append(line(x, plotTop, x, plotBottom, "grid")) }
      children.append(line(x, plotBottom, x, plotBottom + 5, "tick"))
      children.append(
        .element(
          "text", ["x": Markup.number(x), "y": Markup.number(plotBottom + 17), "text-anchor": "middle"], text: text))
    }
    if let label {
      children.append(
        .element(
          "text",
          [
            "class": "axis-label", "x": Markup.number((plotLeft + plotRight) / 2), "y": Markup.number(plotBottom + 36),
            "text-anchor": "middle",
          ], text: label))
    }
    return .element("g", ["class": "axis x"], children)
  }

  /// A vertical axis at the left of the plot: line, ticks, tick labels, horizontal grid
  /// lines and the (rotated) axis label.
  public func yAxis(_ scale: AxisScale, ticks: [(Double, String)], label: String?, grid: Bool = true) -> Markup {
    var children: [Markup] = [line(plotLeft, plotTop, plotLeft, plotBottom, "domain")]
    for (value, text) in ticks {
      let y = scale.position(value)
      if grid { children.append(line(plotLeft, y, plotRight, y, "grid")) }
      children.append(line(plotLeft - 5, y, plotLeft, y, "tick"))
      children.append(
        .element(
          "text", ["x": Markup.number(plotLeft - 8), "y": Markup.number(y + 4), "text-anchor": "end"], text: text))
    }
    if let label {
      let x = 14.0
      let y = (plotTop + plotBottom) / 2
      children.append(
        .element(
          "text",
          [
            "class": "axis-label", "x": Markup.number(x), "y": Markup.number(y), "text-anchor": "middle",
            "transform": "rotate(-90 \(Markup.number(x)) \(Markup.number(y)))",
          ], text: label))
    }
    return .element("g", ["class": "axis y"], children)
  }

  /// Ticks of `scale` with their labels.
  public static func labelledTicks(_ scale: AxisScale, count: Int = 5) -> [(Double, String)] {
    let ticks = scale.ticks(count: count)
    return ticks.map { ($0, scale.label($0, ticks: ticks)) }
  }

  /// The legend as `<g class="legend">` of `<g class="legend-entry">`, wrapped into rows
  /// of the chart's width, and its height (0 without entries).
  func legend(_ entries: [LegendEntry], top: Double) -> (Markup?, Double) {
    guard !entries.isEmpty else { return (nil, 0) }
    let rowHeight = 16.0
    var x = left
    var y = top + 4
    var items: [Markup] = []
    for entry in entries {
      let textWidth = Double(entry.name.count) * 6.3
      let itemWidth = 22 + textWidth + 14
      if x > left, x + itemWidth > width - right {
        x = left
        y += rowHeight
      }
      items.append(
        .element(
          "g", ["class": "legend-entry"],
          [
            swatch(entry.swatch, x: x, y: y),
            .element("text", ["x": Markup.number(x + 22), "y": Markup.number(y + 4)], text: entry.name),
          ]))
      x += itemWidth
    }
    return (.element("g", ["class": "legend"], items), y - top + rowHeight)
  }

  private func swatch(_ swatch: Swatch, x: Double, y: Double) -> Markup {
    switch swatch {
    case .line(let color, let dash):
      var element = line(x, y, x + 16, y, "swatch").adding("stroke", color).adding("stroke-width", "2.5")
      if let dash { element = element.adding("stroke-dasharray", dash) }
      return element
    case .box(let color):
      return .element(
        "rect",
        [
          "class": "swatch", "x": Markup.number(x + 2), "y": Markup.number(y - 5), "width": "12", "height": "10",
          "fill": color,
        ])
    case .dot(let color):
      return .element(
        "circle", ["class": "swatch", "cx": Markup.number(x + 8), "cy": Markup.number(y), "r": "4", "fill": color])
    }
  }

  /// A `<line>` with a class.
  func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ kind: String) -> Markup {
    .element(
      "line",
      [
        "class": kind, "x1": Markup.number(x1), "y1": Markup.number(y1), "x2": Markup.number(x2),
        "y2": Markup.number(y2),
      ])
  }
}
