import Testing

@testable import SiamReport

@Suite struct MarkupTests {
  @Test func escapesTheFiveXMLCharactersInTextAndAttributes() {
    let node = Markup.element("text", ["data-name": #"a<b & "c" 'd'>"#], text: #"a<b & "c" 'd'>"#)
    let attribute = "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
    let text = #"a&lt;b &amp; "c" 'd'&gt;"#
    #expect(node.rendered() == #"<text data-name=""# + attribute + #"">"# + text + "</text>")
  }

  @Test func replacesControlCharactersThatXMLForbids() {
    #expect(Markup.escaped("a\u{1}b\tc\n") == "a\u{FFFD}b\tc\n")
  }

  @Test func closesEmptyElementsAndKeepsAttributeOrder() {
    let node = Markup.element("g", ["class": "axis x", "transform": "t"], [.element("line", ["x1": "0", "y1": "1"])])
    #expect(node.rendered() == #"<g class="axis x" transform="t"><line x1="0" y1="1"/></g>"#)
    #expect(node.adding("id", "z").rendered().hasPrefix(#"<g class="axis x" transform="t" id="z">"#))
  }

  @Test(arguments: [(1.0, "1"), (1.234, "1.23"), (1.5, "1.5"), (-0.001, "0"), (120.10, "120.1"), (Double.nan, "0")])
  func formatsNumbersCompactly(value: Double, text: String) {
    #expect(Markup.number(value) == text)
  }
}
