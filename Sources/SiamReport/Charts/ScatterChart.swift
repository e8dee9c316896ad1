/// A scatter plot of points coloured by class: one `<g class="series series-c">` of
/// `<circle>`s per class, linear axes with nice ticks, and a legend of class names.
public struct ScatterChart: Sendable {
  /// One point and its class (index into `classNames`).
  public struct Point: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var classIndex: Int

    public init(x: Double, y: Double, classIndex: Int) {
      self.x = x
      self.y = y
      self.classIndex = classIndex
    }
  }

  public var title: String
  public var xLabel: String?
  public var yLabel: String?
  public var points: [Point]
  public var classNames: [String]
  public var radius = 1.8
  public var frame = ChartFrame(width: 520, plotHeight: 360)

  public init(title: String, xLabel: String? = nil, yLabel: String? = nil, points: [Point], classNames: [String]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.points = points
    self.classNames = classNames
  }

  /// The chart as an `<svg>` element.
  public func svg() -> Markup {
    let f = frame
    let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
    let xs = finite.map(\.x)
    let ys = finite.map(\.y)
    let xScale = AxisScale(lower: xs.min() ?? 0, upper: xs.max() ?? 1, start: f.plotLeft, end: f.plotRight).nicened()
    let yScale = AxisScale(lower: ys.min() ?? 0, upper: ys.max() ?? 1, start: f.plotBottom, end: f.plotTop).nicened()
    var body: [Markup] = [
      f.yAxis(yScale, ticks: ChartFrame.labelledTicks(yScale), label: yLabel),
      f.xAxis(xScale, ticks: ChartFrame.labelledTicks(xScale), label: xLabel),
    ]
    let classes = max(classNames.count, (finite.map(\.classIndex).max() ?? -1) + 1)
    var legend: [ChartFrame.LegendEntry] = []
    for c in 0..<classes {
      let color = Palette.color(c)
      let dots = finite.filter { $0.classIndex == c }.map { p in
        Markup.element(
          "circle",
          [
            "cx": Markup.number(xScale.position(p.x)), "cy": Markup.number(yScale.position(p.y)),
            "r": Markup.number(radius),
          ])
      }
      body.append(.element("g", ["class": "series series-\(c)", "fill": color, "fill-opacity": "0.75"], dots))
      legend.append(.init(c < classNames.count ? classNames[c] : "class \(c)", .dot(color: color)))
    }
    return f.svg(title: title, kind: "scatter-chart", body: body, legend: legend)
  }
}
