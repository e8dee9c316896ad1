import Foundation

/// A matrix of coloured cells (a confusion matrix): rows top to bottom, columns left to
/// right, each `<rect class="cell">` shaded by its value normalised within its row, with
/// the count written in the cell, row labels on the y axis and column labels on the x
/// axis.
public struct Heatmap: Sendable {
  public var title: String
  public var rowLabel: String?
  public var columnLabel: String?
  public var rowNames: [String]
  public var columnNames: [String]
  /// `values[row][column]`.
  public var values: [[Double]]
  public var frame = ChartFrame(width: 520, plotHeight: 360, left: 110, bottom: 80)

  public init(
    title: String, rowLabel: String? = nil, columnLabel: String? = nil, rowNames: [String], columnNames: [String],
    values: [[Double]]
  ) {
    self.title = title
    self.rowLabel = rowLabel
    self.columnLabel = columnLabel
    self.rowNames = rowNames
    self.columnNames = columnNames
    self.values = values
  }

  /// The chart as an `<svg>` element.
  public func svg() -> Markup {
    let f = frame
    let rows = values.count
    let columns = values.map(\.count).max() ?? 0
    let cellWidth = (f.plotRight - f.plotLeft) / Double(max(columns, 1))
    let cellHeight = f.plotHeight / Double(max(rows, 1))
    var cells: [Markup] = []
    for (r, row) in values.enumerated() {
      let total = row.filter(\.isFinite).reduce(0, +)
      for (c, value) in row.enumerated() {
        let t = total > 0 ? value / total : 0
        let x = f.plotLeft + Double(c) * cellWidth
        let y = f.plotTop + Double(r) * cellHeight
        cells.append(
          .element(
            "rect",
            [
              "class": "cell", "x": Markup.number(x), "y": Markup.number(y), "width": Markup.number(cellWidth),
              "height": Markup.number(cellHeight), "fill": Palette.sequential(t),
            ], [.element("title", text: "\(name(rowNames, r)) → \(name(columnNames, c)): \(Self.format(value))")]))
        if columns <= 20 {
          cells.append(
            .element(
              "text",
              [
                "class": Palette.isDark(t) ? "cell-value on-dark" : "cell-value", "x": Markup.number(x + cellWidth / 2),
                "y": Markup.number(y + cellHeight / 2 + 4), "text-anchor": "middle",
              ], text: Self.format(value)))
        }
      }
    }
    var xLabels: [Markup] = [f.line(f.plotLeft, f.plotBottom, f.plotRight, f.plotBottom, "domain")]
    for c in 0..<columns {
      let cx = f.plotLeft + (Double(c) + 0.5) * cellWidth
      let y = f.plotBottom + 14
      xLabels.append(
        .element(
          "text",
          [
            "x": Markup.number(cx), "y": Markup.number(y), "text-anchor": "end",
            "transform": "rotate(-35 \(Markup.number(cx)) \(Markup.number(y)))",
          ], text: name(columnNames, c)))
    }
    if let columnLabel {
      xLabels.append(
        .element(
          "text",
          [
            "class": "axis-label", "x": Markup.number((f.plotLeft + f.plotRight) / 2),
            "y": Markup.number(f.plotBottom + f.bottom - 4),
            "text-anchor": "middle",
          ], text: columnLabel))
    }
    var yLabels: [Markup] = [f.line(f.plotLeft, f.plotTop, f.plotLeft, f.plotBottom, "domain")]
    for r in 0..<rows {
      yLabels.append(
        .element(
          "text",
          [
            "x": Markup.number(f.plotLeft - 6), "y": Markup.number(f.plotTop + (Double(r) + 0.5) * cellHeight + 4),
            "text-anchor": "end",
          ], text: name(rowNames, r)))
    }
    if let rowLabel {
      let y = (f.plotTop + f.plotBottom) / 2
      yLabels.append(
        .element(
          "text",
          [
            "class": "axis-label", "x": "14", "y": Markup.number(y), "text-anchor": "middle",
            "transform": "rotate(-90 14 \(Markup.number(y)))",
          ], text: rowLabel))
    }
    let body: [Markup] = [
      .element("g", ["class": "cells"], cells), .element("g", ["class": "axis x"], xLabels),
      .element("g", ["class": "axis y"], yLabels),
    ]
    return f.svg(title: title, kind: "heatmap", body: body, legend: [])
  }

  private func name(_ names: [String], _ index: Int) -> String { index < names.count ? names[index] : String(index) }

  /// Integers without decimals, others with three significant digits.
  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e12 ? String(Int64(value)) : String(format: "%.3g", value)
  }
}
