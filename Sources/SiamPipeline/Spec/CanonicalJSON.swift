import Crypto
import Foundation

/// A JSON value with one byte encoding per value: what fingerprints hash and what the run
/// store records.
///
/// Canonical form (in the spirit of RFC 8785, JCS):
/// - object keys sorted by their UTF-8 bytes, no whitespace anywhere;
/// - numbers as their shortest round-tripping decimal: integers (|x| < 2⁵³ with no
///   fraction) without a point or exponent (`1.0` → `1`, `-0.0` → `0`), others as Swift's
///   shortest representation with the exponent normalised (`1e-06` → `1e-6`,
///   `1e+20` → `1e20`, `9007199254740992.0` → `9007199254740992`); NaN and infinities are not representable (`init` traps, the
///   decoder rejects them in files);
/// - strings with `"`, `\` and control characters escaped (`\n`, `\t`, `\u001f`, ...),
///   everything else as UTF-8.
public enum CanonicalJSON: Sendable, Hashable {
  case null
  case bool(Bool)
  /// Finite; 1 and 1.0 are the same number.
  case number(Double)
  case string(String)
  case array([CanonicalJSON])
  /// Keys are unordered here; the encoding sorts them.
  case object([String: CanonicalJSON])

  /// A finite number.
  public static func number(_ value: Int) -> CanonicalJSON { .number(Double(value)) }

  // MARK: - Access

  public subscript(key: String) -> CanonicalJSON? {
    if case .object(let members) = self { return members[key] }
    return nil
  }

  public var doubleValue: Double? {
    if case .number(let x) = self { return x }
    return nil
  }

  /// The number when it is an integer.
  public var intValue: Int? {
    if case .number(let x) = self, x.rounded() == x, abs(x) < 0x1p63 { return Int(x) }
    return nil
  }

  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  public var boolValue: Bool? {
    if case .bool(let b) = self { return b }
    return nil
  }

  public var arrayValue: [CanonicalJSON]? {
    if case .array(let items) = self { return items }
    return nil
  }

  public var objectValue: [String: CanonicalJSON]? {
    if case .object(let members) = self { return members }
    return nil
  }

  public var isNull: Bool { self == .null }

  // MARK: - Encoding

  /// The canonical bytes (UTF-8).
  ///
  /// - Precondition: every number is finite.
  public var canonicalData: Data { Data(canonicalString.utf8) }

  /// The canonical text.
  public var canonicalString: String {
    var out = ""
    write(to: &out, indent: nil, depth: 0)
    return out
  }

  /// Sorted keys, two-space indentation, one member a line; for files people read (the
  /// JSON Schema). Not the canonical form.
  public func prettyPrinted() -> String {
    var out = ""
    write(to: &out, indent: "  ", depth: 0)
    return out + "\n"
  }

  /// Lower-case hex SHA-256 of `canonicalData`.
  public var sha256Hex: String {
    SHA256.hash(data: canonicalData).map { String(format: "%02x", $0) }.joined()
  }

  private func write(to out: inout String, indent: String?, depth: Int) {
    let newline = indent.map { "\n" + String(repeating: $0, count: depth + 1) } ?? ""
    let closing = indent.map { "\n" + String(repeating: $0, count: depth) } ?? ""
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let x): out += Self.format(x)
    case .string(let s): Self.writeString(s, to: &out)
    case .array(let items):
      if items.isEmpty {
        out += "[]"
        return
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        out += newline
        item.write(to: &out, indent: indent, depth: depth + 1)
      }
      out += closing + "]"
    case .object(let members):
      if members.isEmpty {
        out += "{}"
        return
      }
      out += "{"
      let keys = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
      for (i, key) in keys.enumerated() {
        if i > 0 { out += "," }
        out += newline
        Self.writeString(key, to: &out)
        out += indent == nil ? ":" : ": "
        members[key]!.write(to: &out, indent: indent, depth: depth + 1)
      }
      out += closing + "}"
    }
  }

  /// The canonical text of a finite number.
  static func format(_ x: Double) -> String {
    precondition(x.isFinite, "canonical JSON has no representation for \(x)")
    if x == x.rounded(), abs(x) < 0x1p53 { return String(Int64(x)) }
    var text = "\(x)"
    if text.hasSuffix(".0") { text.removeLast(2) }
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      let mantissa = text[..<e]
      var exponent = text[text.index(after: e)...]
      var sign = ""
      if exponent.first == "+" { exponent = exponent.dropFirst() }
      if exponent.first == "-" {
        sign = "-"
        exponent = exponent.dropFirst()
      }
      let digits = exponent.drop { $0 == "0" }
      let trimmed = mantissa.hasSuffix(".0") ? mantissa.dropLast(2) : mantissa
      text = "\(trimmed)e\(sign)\(digits.isEmpty ? "0" : String(digits))"
    }
    return text
  }

  private static func writeString(_ s: String, to out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20:
        out += String(format: "\\u%04x", scalar.value)
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
