import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct HeatmapTests {
  @Test func drawsACellPerEntryWithCountsAndLabels() {
    let heatmap = Heatmap(
      title: "Confusion", rowLabel: "true class", columnLabel: "predicted class", rowNames: ["cat", "dog & co", "eel"],
      columnNames: ["cat", "dog & co", "eel"], values: [[8, 1, 1], [2, 7, 1], [0, 0, 10]])
    let check = XMLDocumentCheck(heatmap.svg().rendered())
    #expect(check.error == nil)
    #expect(check.count(class: "cell") == 9 && check.count(class: "cell-value") == 9)
    #expect(check.count(class: "on-dark") == 3)  // the diagonal: 80 %, 70 % and 100 % of their rows
    #expect(check.count(class: "axis") == 2 && check.count(class: "x") == 1 && check.count(class: "y") == 1)
    #expect(check.text.contains("dog & co") && check.text.contains("predicted class") && check.text.contains("10"))
  }

  @Test func shadesByTheFractionOfTheRow() {
    #expect(Palette.sequential(0) == "#ffffff")
    #expect(Palette.sequential(1) == "#08306b")
    #expect(Palette.sequential(.nan) == "#ffffff")
  }
}
