/// The discussion texts of `--help`.
enum HelpText {
  /// `text` with each prose paragraph on one line, so that swift-argument-parser wraps it
  /// to the terminal's width; source lines are kept short for reading, and a line break
  /// inside a paragraph would otherwise survive the wrapping as a ragged edge. Lines
  /// that start with a space (examples, lists) and blank lines are kept as written.
  static func reflowed(_ text: String) -> String {
    var lines: [String] = []
    var paragraph: [String] = []
    func flush() {
      if !paragraph.isEmpty { lines.append(paragraph.joined(separator: " ")) }
      paragraph = []
    }
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.isEmpty || line.hasPrefix(" ") {
        flush()
        lines.append(line)
      } else {
        paragraph.append(line)
      }
    }
    flush()
    return lines.joined(separator: "\n")
  }
}
