import ArgumentParser
import Foundation

/// `--color`: colour on terminals only (`auto`, which `NO_COLOR` turns off), or always,
/// or never.
enum ColorChoice: String, CaseIterable, ExpressibleByArgument, Sendable {
  case auto, always, never
}

/// What the process writes to: whether a descriptor is a terminal, how wide it is, and
/// whether to colour it.
enum Terminal {
  static var environment: [String: String] { ProcessInfo.processInfo.environment }

  static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

  /// The columns to fit output into: `$COLUMNS` when it is a positive number, else the
  /// terminal's width (`TIOCGWINSZ`) when `descriptor` is a terminal, else nil (a pipe or
  /// a file: no limit, nothing is truncated).
  static func width(of descriptor: Int32, environment: [String: String] = Terminal.environment) -> Int? {
    if let text = environment["COLUMNS"], let columns = Int(text.trimmingCharacters(in: .whitespaces)), columns > 0 {
      return columns
    }
    guard isTerminal(descriptor) else { return nil }
    var size = winsize()
    let status = withUnsafeMutablePointer(to: &size) { ioctl(descriptor, UInt(TIOCGWINSZ), $0) }
    guard status == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
  }

  /// Whether to colour: `always` and `never` as said; `auto` on a terminal unless
  /// `NO_COLOR` is set to anything non-empty (https://no-color.org) or `TERM` is `dumb`.
  static func isColored(
    _ choice: ColorChoice, isTerminal: Bool, environment: [String: String] = Terminal.environment
  ) -> Bool {
    switch choice {
    case .always: return true
    case .never: return false
    case .auto:
      if let value = environment["NO_COLOR"], !value.isEmpty { return false }
      if environment["TERM"] == "dumb" { return false }
      return isTerminal
    }
  }
}

/// ANSI colours for status words and message prefixes; with `isEnabled` false every
/// method returns its text unchanged.
struct Palette: Sendable, Hashable {
  enum Tone: String, Sendable {
    case red = "31"
    case green = "32"
    case yellow = "33"
    case blue = "34"
    case cyan = "36"
    case dim = "2"
    case bold = "1"
  }

  var isEnabled: Bool

  static let plain = Palette(isEnabled: false)

  func paint(_ text: String, _ tone: Tone) -> String {
    guard isEnabled, !text.isEmpty else { return text }
    return "\u{1B}[\(tone.rawValue)m" + text + "\u{1B}[0m"
  }

  /// The tone of a status word of runs, stages and sweep points, if it is one.
  static func tone(ofStatus word: String) -> Tone? {
    switch word {
    case "finished", "completed", "identical", "done": .green
    case "failed", "error": .red
    case "killed", "skipped", "interrupted": .yellow
    case "cached", "cache hit": .cyan
    case "running": .blue
    default: nil
    }
  }

  /// `word` in its status colour (unchanged when it is not a status word).
  func status(_ word: String) -> String {
    guard let tone = Self.tone(ofStatus: word) else { return word }
    return paint(word, tone)
  }

  /// A message with its leading `error:`, `warning:`, `hint:` or `note:` coloured.
  func message(_ line: String) -> String {
    guard isEnabled else { return line }
    for (prefix, tone) in [("error:", Tone.red), ("warning:", .yellow), ("hint:", .cyan), ("note:", .cyan)]
    where line.hasPrefix(prefix) {
      return paint(prefix, tone) + line.dropFirst(prefix.count)
    }
    return line
  }

  /// `text` without ANSI escape sequences (what a terminal shows).
  static func stripped(_ text: String) -> String {
    guard text.contains("\u{1B}") else { return text }
    var out = ""
    var iterator = text.makeIterator()
    while let character = iterator.next() {
      guard character == "\u{1B}" else {
        out.append(character)
        continue
      }
      // CSI: ESC [ parameters final-byte (a letter).
      guard iterator.next() == "[" else { continue }
      while let next = iterator.next(), !next.isLetter {}
    }
    return out
  }
}

/// Shortening text to a width with an ellipsis.
enum Ellipsis {
  static let mark = "…"

  /// `text` cut to `width` characters, the ellipsis in the middle (`20261129…a3f9`):
  /// for ids, paths and hashes, whose both ends matter.
  static func middle(_ text: String, to width: Int) -> String {
    guard text.count > width else { return text }
    guard width > 1 else { return String(mark.prefix(max(width, 0))) }
    let tail = (width - 1) / 2
    let head = width - 1 - tail
    return String(text.prefix(head)) + mark + String(text.suffix(tail))
  }

  /// `text` cut to `width` characters, the ellipsis at the end: for prose.
  static func end(_ text: String, to width: Int) -> String {
    guard text.count > width else { return text }
    guard width > 1 else { return String(mark.prefix(max(width, 0))) }
    return String(text.prefix(width - 1)) + mark
  }

  /// Middle for a single word (an id, a path, a dotted key), end for text with spaces.
  static func fitted(_ text: String, to width: Int) -> String {
    text.contains(" ") ? end(text, to: width) : middle(text, to: width)
  }
}
