import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct ScatterChartTests {
  @Test func drawsEveryPointInItsClassGroupWithALegend() {
    let points = (0..<30).map { ScatterChart.Point(x: Double($0), y: Double($0 % 7) - 3, classIndex: $0 % 3) }
    let chart = ScatterChart(
      title: "PCA", xLabel: "PC1", yLabel: "PC2", points: points, classNames: ["T-shirt/top", "<Trouser>", "Bag"])
    let check = XMLDocumentCheck(chart.svg().rendered())
    #expect(check.error == nil)
    #expect(check.count(class: "axis") == 2)
    #expect(check.count(class: "series") == 3)
    #expect(check.count("circle") == 30 + 3)  // points and legend dots
    #expect(check.count(class: "legend-entry") == 3)
    #expect(check.text.contains("<Trouser>") && check.text.contains("PC2"))
  }
}
