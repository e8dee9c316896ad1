import Foundation

/// A node of XML markup, the common form of the report's SVG charts and XHTML page:
/// an element (name, ordered attributes, children) or escaped text.
///
/// Rendering produces well-formed XML that is also valid HTML5 (polyglot markup):
/// every element is closed (`<br/>`, `<circle … />`), attribute values are quoted, and
/// text and attribute values are escaped with the five XML entities only (`&amp;`,
/// `&lt;`, `&gt;`, and in attributes `&quot;`, `&apos;`), so a run or class name like
/// `a<b & "c"` cannot break the document.
public indirect enum Markup: Sendable, Hashable {
  case element(name: String, attributes: [Attribute], children: [Markup])
  case text(String)

  /// One `name="value"` pair; the value is escaped when rendered.
  public struct Attribute: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
      self.name = name
      self.value = value
    }
  }

  /// An element with attributes in the order given.
  ///
  /// - Parameters:
  ///   - name: The tag (`g`, `path`, `section`).
  ///   - attributes: Name → value pairs, rendered in this order.
  ///   - children: Child nodes.
  public static func element(
    _ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ children: [Markup] = []
  ) -> Markup {
    .element(name: name, attributes: attributes.map { Attribute($0.key, $0.value) }, children: children)
  }

  /// An element holding only `text`.
  public static func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], text: String) -> Markup
  {
    element(name, attributes, [.text(text)])
  }

  /// A copy with `attribute` appended (an element), or itself (text).
  public func adding(_ name: String, _ value: String) -> Markup {
    guard case .element(let tag, var attributes, let children) = self else { return self }
    attributes.append(Attribute(name, value))
    return .element(name: tag, attributes: attributes, children: children)
  }

  /// The element's children (empty for text).
  public var children: [Markup] {
    if case .element(_, _, let children) = self { return children }
    return []
  }

  /// The XML text of this node and its subtree.
  ///
  /// - Complexity: O(size of the subtree).
  public func rendered() -> String {
    var out = ""
    render(into: &out)
    return out
  }

  /// Appends the XML text of this node to `out`.
  public func render(into out: inout String) {
    switch self {
    case .text(let text):
      out += Self.escaped(text, quotes: false)
    case .element(let name, let attributes, let children):
      out += "<" + name
      for attribute in attributes {
        out += " " + attribute.name + "=\"" + Self.escaped(attribute.value) + "\""
      }
      if children.isEmpty {
        out += "/>"
        return
      }
      out += ">"
      for child in children { child.render(into: &out) }
      out += "</" + name + ">"
    }
  }

  /// `text` with `&`, `<`, `>` (and `"`, `'` when `quotes`, for attribute values)
  /// replaced by the XML entities, and control characters other than tab, newline and
  /// carriage return (not allowed in XML 1.0) replaced by U+FFFD.
  ///
  /// Text nodes keep their quotes: the content of `<style>` is raw text in HTML, where an
  /// entity would not be decoded.
  public static func escaped(_ text: String, quotes: Bool = true) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"" where quotes: out += "&quot;"
      case "'" where quotes: out += "&apos;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      default:
        if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out
  }

  /// A coordinate or size for SVG: at most two decimals, no trailing zeros, no `-0`.
  public static func number(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let rounded = (value * 100).rounded() / 100
    if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
  }
}
