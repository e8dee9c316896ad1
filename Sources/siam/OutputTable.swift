import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

/// How the store commands print their tables (`--format`).
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
  case table, csv, json, markdown
}

/// One cell of an output table; numbers stay numbers in JSON and CSV.
enum OutputCell: Hashable {
  case null
  case integer(Int64)
  case real(Double)
  case text(String)

  init(_ value: QueryValue) {
    switch value {
    case .null: self = .null
    case .integer(let x): self = .integer(x)
    case .real(let x): self = .real(x)
    case .text(let s): self = .text(s)
    case .blob(let d): self = .text("<\(d.count) bytes>")
    }
  }

  init(_ value: Double?) {
    self = value.map(OutputCell.real) ?? .null
  }

  init(_ value: String?) {
    self = value.map(OutputCell.text) ?? .null
  }

  init(_ value: Int?) {
    self = value.map { .integer(Int64($0)) } ?? .null
  }

  /// Full precision (CSV, JSON).
  var exactText: String {
    switch self {
    case .null: ""
    case .integer(let x): String(x)
    case .real(let x): Self.exact(x)
    case .text(let s): s
    }
  }

  /// Six significant digits for reals (aligned tables, Markdown).
  var displayText: String {
    if case .real(let x) = self { return Self.short(x) }
    return exactText
  }

  /// Seconds to two decimals.
  static func rounded(_ seconds: Double) -> Double { (seconds * 100).rounded() / 100 }

  static func exact(_ x: Double) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
    return "\(x)"
  }

  static func short(_ x: Double) -> String {
    if !x.isFinite || (x == x.rounded() && abs(x) < 1e15) { return exact(x) }
    return String(format: "%.6g", x)
  }
}

/// A titled table the store commands print in any `OutputFormat`.
struct OutputTable {
  var title: String?
  var columns: [String]
  var rows: [[OutputCell]]

  init(title: String? = nil, columns: [String], rows: [[OutputCell]]) {
    self.title = title
    self.columns = columns
    self.rows = rows
  }

  /// Renders `tables` one after another (JSON: one array per table, or an object of
  /// titled arrays when there are several). Only `table` output is fitted to the
  /// layout's width; CSV, JSON and Markdown are never shortened.
  static func render(_ tables: [OutputTable], as format: OutputFormat, layout: TableLayout = TableLayout()) -> String {
    switch format {
    case .json:
      if tables.count == 1, tables[0].title == nil { return tables[0].json() }
      let members = tables.map { "  " + jsonString($0.title ?? "rows") + ": " + $0.json(indent: "  ") }
      return "{\n" + members.joined(separator: ",\n") + "\n}"
    case .table, .csv, .markdown:
      return tables.map { table in
        let body = table.render(format, layout: layout)
        guard let title = table.title else { return body }
        switch format {
        case .markdown: return "## \(title)\n\n" + body
        case .csv: return "# \(title)\n" + body
        default: return "\(title):\n" + body
        }
      }.joined(separator: "\n\n")
    }
  }

  func render(_ format: OutputFormat, layout: TableLayout = TableLayout()) -> String {
    switch format {
    case .table:
      let text = layout.render(header: columns, rows: rows.map { $0.map(\.displayText) }, numeric: numericColumns)
      return rows.isEmpty ? text + "\n(no rows)" : text
    case .csv:
      return ([columns.map(Self.csvField)] + rows.map { $0.map { Self.csvField($0.exactText) } })
        .map { $0.joined(separator: ",") }.joined(separator: "\n")
    case .markdown:
      let escape = { (text: String) in
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
      }
      var lines = ["| " + columns.map(escape).joined(separator: " | ") + " |"]
      lines.append("|" + columns.map { _ in " --- |" }.joined())
      lines += rows.map { "| " + $0.map { escape($0.displayText) }.joined(separator: " | ") + " |" }
      return lines.joined(separator: "\n")
    case .json:
      return json()
    }
  }

  /// Per column, whether every value in it is a number (nulls aside) and there is one.
  var numericColumns: [Bool] {
    columns.indices.map { column in
      var hasNumber = false
      for row in rows where column < row.count {
        switch row[column] {
        case .integer, .real: hasNumber = true
        case .null: continue
        case .text: return false
        }
      }
      return hasNumber
    }
  }

  /// An array of objects, one per row, keyed by column.
  func json(indent: String = "") -> String {
    if rows.isEmpty { return "[]" }
    let objects = rows.map { row in
      let members = zip(columns, row).map { Self.jsonString($0) + ": " + Self.jsonValue($1) }
      return indent + "  {" + members.joined(separator: ", ") + "}"
    }
    return "[\n" + objects.joined(separator: ",\n") + "\n" + indent + "]"
  }

  static func jsonValue(_ cell: OutputCell) -> String {
    switch cell {
    case .null: "null"
    case .integer(let x): String(x)
    case .real(let x): x.isFinite ? OutputCell.exact(x) : jsonString(OutputCell.exact(x))
    case .text(let s): jsonString(s)
    }
  }

  /// `text` as a JSON string literal.
  static func jsonString(_ text: String) -> String { CanonicalJSON.string(text).canonicalString }

  static func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
