import Foundation
import SiamPipeline

/// Aligned text tables that fit a width: numbers right-aligned, other columns left, two
/// spaces between columns, no trailing blanks, one line per row (never wrapped).
///
/// When the natural width exceeds `width`, the widest text columns shrink first (never
/// below 6 characters, numbers never), their cells shortened with an ellipsis: in the
/// middle for single words (ids, paths, hashes, dotted keys), at the end for text with
/// spaces. A line still too wide after that (many numeric columns on a narrow terminal)
/// is cut at the width with an ellipsis.
struct TableLayout {
  /// Columns to fit into; nil: no limit.
  var width: Int?
  var palette: Palette = .plain

  /// The narrowest a shrunk text column gets.
  static let minimumColumnWidth = 6
  static let separator = "  "

  /// - Parameters:
  ///   - numeric: Per column, whether it holds numbers (right-aligned, never shortened).
  func render(header: [String], rows: [[String]], numeric: [Bool]? = nil) -> String {
    let columns = header.count
    let isNumeric = numeric ?? Array(repeating: false, count: columns)
    let clean = { (text: String) in
      text.contains(where: \.isNewline) ? text.split(whereSeparator: \.isNewline).joined(separator: " ") : text
    }
    let header = header.map(clean)
    let rows = rows.map { $0.map(clean) }
    let natural = (0..<columns).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    let widths = fitted(natural, isNumeric: isNumeric)
    func line(_ cells: [String], isHeader: Bool) -> String {
      var out = ""
      for column in 0..<columns {
        let text = widths[column] < natural[column] ? Ellipsis.fitted(cells[column], to: widths[column]) : cells[column]
        let padding = String(repeating: " ", count: max(widths[column] - text.count, 0))
        let shown = isHeader ? text : palette.status(text)
        if column > 0 { out += Self.separator }
        if isNumeric[column] {
          out += padding + shown
        } else {
          out += shown + (column == columns - 1 ? "" : padding)
        }
      }
      while out.hasSuffix(" ") { out.removeLast() }
      return cut(out)
    }
    return ([line(header, isHeader: true)] + rows.map { line($0, isHeader: false) }).joined(separator: "\n")
  }

  /// Column widths that fit `width`: caps the widest shrinkable columns at one common
  /// width (the largest that fits), each no narrower than the minimum or its content.
  func fitted(_ natural: [Int], isNumeric: [Bool]) -> [Int] {
    guard let width, !natural.isEmpty else { return natural }
    let spacing = Self.separator.count * (natural.count - 1)
    func total(_ cap: Int) -> Int {
      zip(natural, isNumeric).reduce(spacing) { sum, item in
        let (size, numeric) = item
        return sum + (numeric ? size : min(size, max(cap, Self.minimumColumnWidth)))
      }
    }
    let widest = natural.max() ?? 0
    guard total(widest) > width else { return natural }
    var low = 0
    var high = widest  // total(high) > width; find the largest cap that fits
    while low < high {
      let middle = (low + high + 1) / 2
      if total(middle) <= width { low = middle } else { high = middle - 1 }
    }
    return zip(natural, isNumeric).map { size, numeric in
      numeric ? size : min(size, max(low, Self.minimumColumnWidth))
    }
  }

  /// The line cut to the width (colour codes kept intact only when nothing is cut).
  func cut(_ line: String) -> String {
    guard let width else { return line }
    let visible = Palette.stripped(line)
    guard visible.count > width else { return line }
    return Ellipsis.end(visible, to: width)
  }
}

extension TableLayout {
  /// For stdout as it is: its width (`$COLUMNS`, the terminal's, or no limit when it is
  /// not a terminal) and colour per `color`.
  static func standardOutput(_ color: ColorChoice) -> TableLayout {
    TableLayout(
      width: Terminal.width(of: STDOUT_FILENO),
      palette: Palette(isEnabled: Terminal.isColored(color, isTerminal: Terminal.isTerminal(STDOUT_FILENO))))
  }
}

extension TableLayout {
  /// A run's plan: stage, kind, fingerprint, reason.
  func render(_ plan: RunPlan) -> String {
    render(header: RunPlan.tableColumns, rows: plan.tableRows)
  }

  /// A sweep's shared-stage counts: stage, kind, then counts (right-aligned).
  func render(_ plan: SweepPlan) -> String {
    render(header: SweepPlan.tableColumns, rows: plan.tableRows, numeric: [false, false, true, true, true, true])
  }
}
