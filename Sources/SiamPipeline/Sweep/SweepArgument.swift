/// One `--set` argument of `siam sweep`, in Hydra's grammar: a fixed override or an axis.
///
/// | argument | meaning |
/// | --- | --- |
/// | `key=v` | a fixed override, as `siam run --set` |
/// | `key=a,b,c` | an axis: three values (each item is YAML) |
/// | `key=range(1,4)` | an axis: 1, 2, 3 (start, stop exclusive, step 1) |
/// | `key=range(0,1,0.25)` | an axis: 0, 0.25, 0.5, 0.75 |
/// | `key=choice(a,b)` | an axis: a, b |
/// | `key='a,b'` or `key="a,b"` | one string value holding a comma |
/// | `key=[1,2]`, `key={type: sgd}` | one value (a value starting with `[` or `{` is never split) |
///
/// `+key=...` adds a key that is not in the file (as `+` of `--set`). Items are trimmed of
/// surrounding spaces; commas inside quotes, brackets and braces do not split.
enum SweepArgument {
  case fixed(String)
  case axis(CommandLineAxis)

  /// The most values one axis may take (`range` with a tiny step).
  static let maximumValues = 10_000

  /// Parses the `index`-th `--set` argument (0-based).
  ///
  /// - Throws: `PipelineError` at `--set[i]:1:column` for a malformed list, range or choice.
  static func parse(_ text: String, index: Int) throws(PipelineError) -> SweepArgument {
    let file = "--set[\(index + 1)]"
    func at(_ column: Int) -> SourceLocation {
      SourceLocation(file: file, line: 1, column: column, fileRank: 1_000_000 + index)
    }
    guard let equals = text.firstIndex(of: "="), !text.hasPrefix("~") else { return .fixed(text) }
    var key = String(text[..<equals])
    var operation = Override.Operation.set
    if key.hasPrefix("+") {
      operation = .add
      key.removeFirst()
    }
    let valueText = String(text[text.index(after: equals)...])
    let valueColumn = text.distance(from: text.startIndex, to: equals) + 2
    let keyLocation = at(operation == .add ? 2 : 1)

    let items: [(text: String, column: Int)]
    let trimmed = valueText.trimmingLeadingSpaces()
    let leading = valueText.count - trimmed.count
    if let call = Self.call(in: trimmed) {
      let argumentsColumn = valueColumn + leading + call.name.count + 1
      let arguments =
        call.arguments.trimmingLeadingSpaces().isEmpty ? [] : try split(call.arguments, column: argumentsColumn, at: at)
      switch call.name {
      case "choice":
        guard !arguments.isEmpty else {
          throw PipelineError(.override, at: at(valueColumn), keyPath: key, "choice() needs at least one value")
        }
        items = arguments
      default:
        items = try range(arguments, text: trimmed, column: valueColumn + leading, key: key, at: at)
      }
    } else if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
      return .fixed(text)
    } else {
      let parts = try split(valueText, column: valueColumn, at: at)
      guard parts.count > 1 else { return .fixed(text) }
      items = parts
    }
    var values: [SpecNode] = []
    for item in items {
      let node: SpecNode?
      do {
        node = try SpecNode.parse(yaml: item.text, file: file, fileRank: 1_000_000 + index)
      } catch {
        throw PipelineError(
          error.diagnostics.map { d in
            var d = d
            d.location = at(d.location.line == 1 ? d.location.column + item.column - 1 : item.column)
            return d
          })
      }
      var value = node ?? SpecNode(.scalar(.null), at: at(item.column))
      value.shift(line1By: item.column - 1, file: file, rank: 1_000_000 + index)
      values.append(value)
    }
    let path = KeyPath.components(key)
    guard !path.isEmpty, !key.hasPrefix("."), !key.hasSuffix("."), !key.contains("..") else {
      throw PipelineError(.override, at: keyLocation, "expected KEY.PATH=VALUES, found '\(text)'")
    }
    return .axis(
      CommandLineAxis(path: path, operation: operation, keyLocation: keyLocation, values: values, argumentIndex: index))
  }

  // MARK: - Splitting

  /// `name(arguments)` when `text` is a whole call of `range` or `choice`.
  private static func call(in text: String) -> (name: String, arguments: String)? {
    let body = text.trimmingTrailingSpaces()
    for name in ["range", "choice"] where body.hasPrefix(name + "(") && body.hasSuffix(")") {
      return (name, String(body.dropFirst(name.count + 1).dropLast()))
    }
    return nil
  }

  /// Splits `text` at commas outside quotes, brackets and braces; items trimmed of spaces,
  /// with the column (in the argument) where each starts.
  static func split(
    _ text: String, column: Int, at: (Int) -> SourceLocation
  ) throws(PipelineError) -> [(text: String, column: Int)] {
    var items: [(text: String, column: Int)] = []
    var current = ""
    var start = column
    var depth = 0
    var quote: Character?
    var position = column
    var opened: [Int] = []
    func finish() throws(PipelineError) {
      let item = current.trimmingLeadingSpaces()
      let itemColumn = start + (current.count - item.count)
      let body = item.trimmingTrailingSpaces()
      guard !body.isEmpty else {
        throw PipelineError(.override, at: at(itemColumn), "empty value in a comma-separated list")
      }
      items.append((body, itemColumn))
    }
    for character in text {
      if let open = quote {
        if character == open {
          quote = nil
          opened.removeLast()
        }
      } else if character == "'" || character == "\"" {
        quote = character
        opened.append(position)
      } else if character == "[" || character == "{" || character == "(" {
        depth += 1
        opened.append(position)
      } else if character == "]" || character == "}" || character == ")" {
        depth -= 1
        if depth < 0 { throw PipelineError(.override, at: at(position), "unbalanced '\(character)'") }
        opened.removeLast()
      } else if character == ",", depth == 0 {
        try finish()
        current = ""
        start = position + 1
        position += 1
        continue
      }
      current.append(character)
      position += 1
    }
    if quote != nil || depth != 0 {
      throw PipelineError(
        .override, at: at(opened.last ?? column), quote != nil ? "unclosed quote" : "unclosed bracket")
    }
    try finish()
    return items
  }

  // MARK: - range

  /// The values of `range(start, stop[, step])`: start, start + step, ... while before
  /// `stop` (exclusive). Integers when every argument is; otherwise numbers rounded to the
  /// most decimal places of the arguments (`range(0, 0.5, 0.1)` gives 0.3, not
  /// 0.30000000000000004).
  private static func range(
    _ arguments: [(text: String, column: Int)], text: String, column: Int, key: String, at: (Int) -> SourceLocation
  ) throws(PipelineError) -> [(text: String, column: Int)] {
    guard (2...3).contains(arguments.count) else {
      throw PipelineError(
        .override, at: at(column), keyPath: key,
        "expected range(start, stop) or range(start, stop, step), found '\(text)'")
    }
    var numbers: [Double] = []
    for argument in arguments {
      guard let x = Double(argument.text), x.isFinite else {
        throw PipelineError(
          .override, at: at(argument.column), keyPath: key,
          "expected a number in range(...), found '\(argument.text)'")
      }
      numbers.append(x)
    }
    let (start, stop, step) = (numbers[0], numbers[1], numbers.count == 3 ? numbers[2] : 1)
    guard step != 0 else {
      throw PipelineError(.override, at: at(arguments[2].column), keyPath: key, "the step of range(...) must not be 0")
    }
    let isInteger = arguments.allSatisfy { Int($0.text) != nil }
    // Decimal places of the arguments (nil with an exponent: then no rounding).
    let hasExponent = arguments.contains { $0.text.contains { $0 == "e" || $0 == "E" } }
    let decimals =
      hasExponent
      ? nil
      : min(15, arguments.map { $0.text.split(separator: ".").dropFirst().first?.count ?? 0 }.max() ?? 0)
    var items: [(text: String, column: Int)] = []
    var i = 0.0
    while true {
      let raw = start + i * step
      guard step > 0 ? raw < stop : raw > stop else { break }
      if items.count == maximumValues {
        throw PipelineError(.override, at: at(column), keyPath: key, "\(text) has more than \(maximumValues) values")
      }
      let rounded = decimals.map { (raw * pow10($0)).rounded() / pow10($0) } ?? raw
      let value =
        isInteger
        ? Int(exactly: raw).map(String.init) ?? CanonicalJSON.format(raw)
        : CanonicalJSON.format(rounded.isFinite ? rounded : raw)
      items.append((value, column))
      i += 1
    }
    guard !items.isEmpty else {
      throw PipelineError(.override, at: at(column), keyPath: key, "\(text) is empty (stop is exclusive)")
    }
    return items
  }

  private static func pow10(_ n: Int) -> Double {
    (0..<n).reduce(1.0) { product, _ in product * 10 }
  }
}

/// An axis given on the command line: `--set key=a,b,c`, `range(...)` or `choice(...)`.
struct CommandLineAxis: Sendable {
  var path: [String]
  var operation: Override.Operation
  var keyLocation: SourceLocation
  /// Parsed values, positioned in the argument.
  var values: [SpecNode]
  /// Which `--set` (0-based).
  var argumentIndex: Int

  var dottedPath: String { path.joined(separator: ".") }

  func override(_ index: Int) -> Override {
    Override(operation: operation, path: path, value: values[index], location: keyLocation)
  }
}

extension String {
  func trimmingLeadingSpaces() -> String { String(drop { $0 == " " }) }
  func trimmingTrailingSpaces() -> String { String(reversed().drop { $0 == " " }.reversed()) }
}
