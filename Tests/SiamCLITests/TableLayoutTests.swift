import Foundation
import Testing

@testable import siam

/// Aligned tables that fit a width; other formats never shortened.
@Suite struct TableLayoutTests {
  static let table = OutputTable(
    columns: ["run", "pipeline", "status", "seconds", "directory", "metrics"],
    rows: [
      [
        .text("20261129-031502-a3f9"), .text("quickstart"), .text("finished"), .real(81.25),
        .text("/home/someone/experiments/siam/runs/20261129-031502-a3f9"),
        .text("pretrain.final_loss=4.91 knn.knn_top1=0.7712 linear.linear_top1=0.8034"),
      ],
      [
        .text("20261129-034010-7c21"), .text("simclr-fashion"), .text("failed"), .null,
        .text("runs/20261129-034010-7c21"), .text(""),
      ],
      [
        .text("20261129-041234-0b9e"), .text("byol-fashion"), .text("killed"), .integer(1234),
        .text("runs/20261129-041234-0b9e"), .text("pretrain.final_loss=nan"),
      ],
    ])

  @Test func ellipsisGoesInTheMiddleOfWordsAndAtTheEndOfText() {
    #expect(Ellipsis.middle("20261129-031502-a3f9", to: 9) == "2026…a3f9")
    #expect(Ellipsis.end("the quick brown fox", to: 10) == "the quick…")
    #expect(Ellipsis.fitted("runs/20261129-031502-a3f9/stages", to: 11) == "runs/…tages")
    #expect(Ellipsis.fitted("knn top1 of the test split", to: 8) == "knn top…")
    #expect(Ellipsis.middle("short", to: 10) == "short")
    #expect(Ellipsis.end("abc", to: 1) == "…")
  }

  @Test func unlimitedTablesAreAlignedWithNumbersOnTheRight() {
    let text = Self.table.render(.table)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.count == 4)
    #expect(!text.contains("…"))
    // Every row's columns start where the header's do.
    let statusColumn = lines[0].range(of: "status")!.lowerBound.utf16Offset(in: lines[0])
    for line in lines[1...] {
      let index = line.index(line.startIndex, offsetBy: statusColumn)
      #expect(["finished", "failed", "killed"].contains { line[index...].hasPrefix($0) }, "\(line)")
    }
    // Seconds right-aligned: the header and the values end in the same column.
    let end = lines[0].range(of: "seconds")!.upperBound.utf16Offset(in: lines[0])
    #expect(lines[1].prefix(end).hasSuffix("81.25") && lines[3].prefix(end).hasSuffix("1234"))
    #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
  }

  @Test func tablesFitTheWidth() {
    for width in [30, 60, 80, 100, 120] {
      let layout = TableLayout(width: width)
      let text = OutputTable.render([Self.table, Self.table], as: .table, layout: layout)
      for line in text.split(separator: "\n") {
        #expect(line.count <= width, "\(line.count) > \(width): \(line)")
      }
    }
    let lines = Self.table.render(.table, layout: TableLayout(width: 100)).split(separator: "\n").map(String.init)
    #expect(lines.count == 4, "rows are never wrapped")
    #expect(lines[1].contains("81.25") && lines[3].contains("1234"), "numbers are never shortened")
    #expect(lines[1].contains("20261129-031502-a3f9"), "narrow columns keep their width")
    #expect(lines[1].contains("/home/s") && lines[1].contains("…"), "paths lose their middle")
    #expect(lines[1].hasSuffix("…"), "text loses its end")
  }

  @Test func colourDoesNotCountTowardsTheWidth() {
    let coloured = Self.table.render(.table, layout: TableLayout(width: 90, palette: Palette(isEnabled: true)))
    let plain = Self.table.render(.table, layout: TableLayout(width: 90))
    #expect(coloured.contains("\u{1B}[32mfinished\u{1B}[0m") && coloured.contains("\u{1B}[31mfailed\u{1B}[0m"))
    #expect(Palette.stripped(coloured) == plain)
  }

  @Test func csvJSONAndMarkdownAreNeverShortened() throws {
    let narrow = TableLayout(width: 20)
    for format in [OutputFormat.csv, .json, .markdown] {
      let text = OutputTable.render([Self.table], as: format, layout: narrow)
      #expect(!text.contains("…"), "\(format)")
      #expect(text.contains("/home/someone/experiments/siam/runs/20261129-031502-a3f9"), "\(format)")
    }
    let json = OutputTable.render([Self.table], as: .json, layout: narrow)
    let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    #expect(rows.count == 3)
  }

  @Test func newlinesInCellsStayOnOneLine() {
    let table = OutputTable(columns: ["key", "value"], rows: [[.text("a"), .text("one\ntwo")]])
    #expect(table.render(.table) == "key  value\na    one two")
  }
}
