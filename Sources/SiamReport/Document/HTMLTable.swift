import Foundation

/// A plain `<table>` of text cells; cells that read as numbers are right-aligned.
public struct HTMLTable: Sendable {
  public var columns: [String]
  public var rows: [[String]]
  /// A class on the `<table>` (`environment`, `parameters`).
  public var kind: String

  public init(columns: [String], rows: [[String]], kind: String) {
    self.columns = columns
    self.rows = rows
    self.kind = kind
  }

  /// The table, wrapped in a horizontally scrolling `<div>` for wide comparisons.
  public func markup() -> Markup {
    let head = Markup.element("thead", [:], [.element("tr", [:], columns.map { .element("th", text: $0) })])
    let body = Markup.element(
      "tbody", [:],
      rows.map { row in
        .element(
          "tr", [:],
          row.map { cell in
            Self.isNumeric(cell) ? .element("td", ["class": "number"], text: cell) : .element("td", text: cell)
          })
      })
    return .element("div", ["class": "table-scroll"], [.element("table", ["class": kind], [head, body])])
  }

  /// Whether `text` is a number, a percentage or `mean ± std`.
  static func isNumeric(_ text: String) -> Bool {
    let core =
      text.replacingOccurrences(of: "%", with: "").split(separator: "±").first.map {
        $0.trimmingCharacters(in: .whitespaces)
      } ?? ""
    return !core.isEmpty && Double(core) != nil
  }
}
