import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct HTMLPageTests {
  @Test func isPolyglotXHTMLThatParsesAsXML() {
    let chart = LineChart(title: "t", series: [.init(name: "a & b", points: [.init(x: 0, y: 1), .init(x: 1, y: 2)])])
    let page = HTMLPage(
      title: #"Report <"quoted"> & more"#,
      body: [
        .element("h1", text: "x < y"), .element("p", [:], [.element("br"), .text("it's")]), chart.svg(), chart.svg(),
      ])
    let html = page.rendered()
    #expect(html.hasPrefix("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\""))
    let check = XMLDocumentCheck(html)
    #expect(check.error == nil)
    #expect(check.count("svg") == 2)
    #expect(check.count("html") == 1 && check.count("style") == 1)
    #expect(check.text.contains(#"Report <"quoted"> & more"#))
  }

  @Test func usesNoEntitiesButTheFiveOfXML() throws {
    let html = HTMLPage(title: "t", body: [.element("p", text: "© ± τ — <&>\"'")]).rendered()
    let entities = try Regex(#"&([A-Za-z0-9#]+);"#)
    let names = Set(html.matches(of: entities).map { String(html[$0.range]) })
    #expect(names.isSubset(of: ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]))
    #expect(!HTMLPage.css.contains("<") && !HTMLPage.css.contains("&"))
    #expect(HTMLPage.css.contains("@media print"))
  }

  @Test func tablesAlignNumbersRight() {
    let table = HTMLTable(
      columns: ["k", "v"], rows: [["lr", "0.5"], ["acc", "71.2%"], ["x", "0.7 ± 0.01"], ["name", "simclr"]], kind: "t")
    let check = XMLDocumentCheck(table.markup().rendered())
    #expect(check.error == nil)
    #expect(check.count(class: "number") == 3 && check.count("td") == 8)
  }
}
