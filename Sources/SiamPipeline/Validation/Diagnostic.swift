/// One problem found in a pipeline file: where, which key, what was wrong, and the nearest
/// valid alternative when there is one.
///
/// Printed as `file:line:column: error: key.path: message; did you mean 'x'?`.
public struct Diagnostic: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// What kind of problem; a small closed set.
  public enum Code: String, Sendable, Hashable, CaseIterable {
    /// The file could not be read, or is not valid YAML.
    case syntax
    /// A key the schema does not know.
    case unknownKey
    /// A required key is absent.
    case missingKey
    /// A value of the wrong type (a string where a number is expected, ...).
    case typeMismatch
    /// A value of the right type outside its allowed range or set.
    case invalidValue
    /// A name (stage, augmentation chain, encoder) that is not defined.
    case unknownReference
    /// `needs:` forms a cycle.
    case cycle
    /// `include:` failed (missing file, include cycle, too deep).
    case include
    /// A `--set` override could not be applied.
    case override
    /// Not an error: something suspicious that does not stop a run.
    case warning
  }

  public var code: Code
  public var location: SourceLocation
  /// Dotted path of the key (`stages.pretrain.method.temperature`; list items by index).
  public var keyPath: String
  public var message: String
  /// The nearest known key or name, for typos.
  public var suggestion: String?

  public init(_ code: Code, at location: SourceLocation, keyPath: String, _ message: String, suggestion: String? = nil)
  {
    self.code = code
    self.location = location
    self.keyPath = keyPath
    self.message = message
    self.suggestion = suggestion
  }

  public var isWarning: Bool { code == .warning }

  /// `file:line:column: error: key.path: message; did you mean 'x'?`.
  public var description: String {
    let severity = isWarning ? "warning" : "error"
    let path = keyPath.isEmpty ? "" : "\(keyPath): "
    let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
    return "\(location): \(severity): \(path)\(message)\(hint)"
  }

  public static func < (lhs: Diagnostic, rhs: Diagnostic) -> Bool {
    if lhs.location != rhs.location { return lhs.location < rhs.location }
    return (lhs.keyPath, lhs.message) < (rhs.keyPath, rhs.message)
  }
}
