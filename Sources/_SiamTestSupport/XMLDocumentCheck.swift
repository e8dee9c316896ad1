import Foundation

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Parses a document with Foundation's `XMLParser` and counts what it holds: the
/// report's HTML is polyglot XHTML5, so it must parse as XML without error.
public final class XMLDocumentCheck: NSObject, XMLParserDelegate {
  /// The parser's error, nil when the document is well-formed.
  public private(set) var error: String?
  /// Element name → how many.
  public private(set) var elements: [String: Int] = [:]
  /// Class token (of `class="a b"` attributes) → how many elements carry it.
  public private(set) var classes: [String: Int] = [:]
  /// `id` attributes in document order.
  public private(set) var ids: [String] = []
  /// All text content, concatenated.
  public private(set) var text = ""

  /// Parses `document`.
  public init(_ document: String) {
    super.init()
    let parser = XMLParser(data: Data(document.utf8))
    parser.delegate = self
    if !parser.parse() {
      error =
        parser.parserError.map { "\($0) at line \(parser.lineNumber), column \(parser.columnNumber)" } ?? "parse failed"
    }
  }

  /// How many elements named `name`.
  public func count(_ name: String) -> Int { elements[name, default: 0] }

  /// How many elements carry class token `name`.
  public func count(class name: String) -> Int { classes[name, default: 0] }

  public func parser(
    _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
    attributes: [String: String] = [:]
  ) {
    elements[elementName, default: 0] += 1
    for token in (attributes["class"] ?? "").split(separator: " ") { classes[String(token), default: 0] += 1 }
    if let id = attributes["id"] { ids.append(id) }
  }

  public func parser(_ parser: XMLParser, foundCharacters string: String) {
    text += string
  }

  public func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
    if error == nil { error = "\(parseError) at line \(parser.lineNumber), column \(parser.columnNumber)" }
  }
}
