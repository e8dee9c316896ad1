import Foundation
import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct LineChartTests {
  static func chart(_ names: [String] = ["a", "b"], values: (Int) -> Double = { Double($0 + 1) }) -> LineChart {
    LineChart(
      title: "Loss", xLabel: "step", yLabel: "loss",
      series: names.enumerated().map { index, name in
        .init(name: name, points: (0..<5).map { .init(x: Double($0 * 10), y: values($0) + Double(index)) })
      })
  }

  @Test func hasBothAxesOnePolylinePerSeriesAndALegendEntryEach() {
    let svg = Self.chart(["run 1", "run 2", "run 3"]).svg().rendered()
    let check = XMLDocumentCheck(svg)
    #expect(check.error == nil)
    #expect(check.count(class: "axis") == 2 && check.count(class: "x") == 1 && check.count(class: "y") == 1)
    #expect(check.count("polyline") == 3)
    #expect(check.count(class: "series") == 3)
    for index in 0..<3 { #expect(check.count(class: "series-\(index)") == 1) }
    #expect(check.count(class: "legend-entry") == 3)
    #expect(check.text.contains("run 2") && check.text.contains("Loss") && check.text.contains("step"))
    #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg""#))
  }

  @Test func escapesSeriesNames() {
    let svg = Self.chart([#"a<b & "c""#, "plain"]).svg().rendered()
    #expect(svg.contains(#"a&lt;b &amp; "c""#))
    #expect(!svg.contains(#"a<b"#))
    let check = XMLDocumentCheck(svg)
    #expect(check.error == nil)
    #expect(check.text.contains(#"a<b & "c""#))
  }

  @Test func picksALogAxisForCurvesSpanningDecades() {
    let decaying = Self.chart(["lr"]) { pow(10, -Double($0)) }
    #expect(decaying.resolvedYScale == .log)
    #expect(Self.chart(["loss"]).resolvedYScale == .linear)
    var forced = Self.chart(["loss"])
    forced.yScale = .log
    #expect(forced.resolvedYScale == .log)
    let withZero = LineChart(title: "t", series: [.init(name: "s", points: [.init(x: 0, y: 0), .init(x: 1, y: 100)])])
    #expect(withZero.resolvedYScale == .linear)
    // Log tick labels appear on the axis.
    let check = XMLDocumentCheck(decaying.svg().rendered())
    #expect(check.text.contains("1e-4") || check.text.contains("0.0001"))
  }

  @Test func drawsErrorBarsAndCategoricalLabels() {
    let chart = LineChart(
      title: "acc vs method",
      series: [.init(name: "mean", points: [.init(x: 0, y: 0.5, error: 0.1), .init(x: 1, y: 0.7, error: 0.05)])],
      xCategories: ["byol", "simclr"])
    let check = XMLDocumentCheck(chart.svg().rendered())
    #expect(check.error == nil)
    #expect(check.count(class: "error-bar") == 2)
    #expect(check.text.contains("byol") && check.text.contains("simclr"))
  }

  @Test func skipsNonFiniteValuesAndSaysWhenThereIsNoData() {
    let chart = LineChart(
      title: "t", series: [.init(name: "s", points: [.init(x: 0, y: .nan), .init(x: 1, y: 2), .init(x: 2, y: 3)])])
    #expect(!chart.svg().rendered().contains("nan"))
    let empty = LineChart(title: "t", series: [.init(name: "s", points: [])])
    #expect(XMLDocumentCheck(empty.svg().rendered()).text.contains("no data"))
  }
}

@Suite struct LineChartDomainTests {
  @Test func aFlatLineGetsATightAxisAroundItsValue() {
    let chart = LineChart(
      title: "t", series: [.init(name: "s", points: [.init(x: 5, y: 0.798), .init(x: 200, y: 0.798)])])
    let check = XMLDocumentCheck(chart.svg().rendered())
    #expect(check.text.contains("0.80") || check.text.contains("0.8"))
    #expect(!check.text.contains("1.8"))
  }
}
