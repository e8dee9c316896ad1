import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct BarChartTests {
  static let chart = BarChart(
    title: "kNN (test top-1)", yLabel: "top-1", groups: ["run <1>", "run 2", "run 3"],
    series: [.init(name: "k=20", values: [0.71, 0.74, nil]), .init(name: "k=200", values: [0.69, 0.72, 0.7])],
    references: [.init(name: "pixels & co", value: 0.8), .init(name: "random init", value: 0.6)], isPercent: true)

  @Test func drawsOneBarPerValueAndAReferenceLinePerBaseline() {
    let check = XMLDocumentCheck(Self.chart.svg().rendered())
    #expect(check.error == nil)
    #expect(check.count(class: "axis") == 2 && check.count(class: "x") == 1 && check.count(class: "y") == 1)
    #expect(check.count(class: "series") == 2)
    #expect(check.count(class: "bar") == 5)  // one value is missing
    #expect(check.count(class: "reference") == 2 && check.count(class: "reference-line") == 2)
    #expect(check.count(class: "legend-entry") == 4)
    #expect(check.text.contains("74.0%") && check.text.contains("pixels & co") && check.text.contains("run <1>"))
  }

  @Test func referencesAboveTheBarsWidenTheAxis() {
    let chart = BarChart(
      title: "t", groups: ["a"], series: [.init(name: "s", values: [0.2])],
      references: [.init(name: "supervised", value: 0.9)], isPercent: true)
    let check = XMLDocumentCheck(chart.svg().rendered())
    #expect(check.text.contains("100%") || check.text.contains("90%"))
  }

  @Test func rotatesLongGroupNames() {
    let chart = BarChart(
      title: "t", groups: (0..<8).map { "a rather long run label \($0)" },
      series: [.init(name: "s", values: (0..<8).map { _ in 0.5 })])
    #expect(chart.svg().rendered().contains("rotate(-35"))
  }
}

@Suite struct BarChartLayoutTests {
  @Test func aLoneBarIsCentredOnItsGroup() {
    let chart = BarChart(
      title: "t", groups: ["a", "b"],
      series: [.init(name: "k=5", values: [0.7, nil]), .init(name: "k=200", values: [nil, 0.6])])
    let frame = chart.frame
    let html = chart.svg().rendered()
    let width = (frame.plotRight - frame.plotLeft) / 2
    let barWidth = min(48, width * 0.8 / 2)
    let centre = frame.plotLeft + width / 2
    #expect(html.contains(#"x="\#(Markup.number(centre - barWidth / 2 + 1))""#))
  }
  /// Labels of close reference lines are pushed apart, top down, keeping their order.
  @Test func closeReferenceLabelsDoNotOverlap() {
    #expect(BarChart.separated([100, 50, 105, 104], spacing: 11) == [100, 50, 122, 111])
    #expect(BarChart.separated([10, 40], spacing: 11) == [10, 40])
    #expect(BarChart.separated([], spacing: 11).isEmpty)
  }
}
