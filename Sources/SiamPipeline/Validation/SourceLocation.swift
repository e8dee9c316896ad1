/// A position in a pipeline file or in a `--set` override: `file:line:column`, 1-based.
///
/// Locations order by the file's rank (the main file first, then included files in the
/// order they were read, then overrides), then line, then column, so that diagnostics
/// print in reading order.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The path as the user wrote it (included files: joined to the including file's folder),
  /// or `--set[i]` for the `i`-th override (1-based).
  public var file: String
  public var line: Int
  public var column: Int
  /// Order of `file` among the sources of one load.
  var fileRank: Int

  public init(file: String, line: Int, column: Int) {
    self.init(file: file, line: line, column: column, fileRank: 0)
  }

  init(file: String, line: Int, column: Int, fileRank: Int) {
    self.file = file
    self.line = line
    self.column = column
    self.fileRank = fileRank
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(line):\(column)" }

  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.fileRank, lhs.file, lhs.line, lhs.column) < (rhs.fileRank, rhs.file, rhs.line, rhs.column)
  }

  /// The same line and file, `offset` columns to the right.
  func advanced(by offset: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column + offset, fileRank: fileRank)
  }
}
