/// The one error type of SiamNN: a checkpoint or tensor file that cannot be read,
/// written or loaded into a module.
///
/// Programmer errors (wrong shapes passed to a layer, an unknown key in `setTensor`)
/// trap instead; `NNError` is for what comes from outside the program.
public struct NNError: Error, CustomStringConvertible {
  /// The closed set of things that go wrong.
  public enum Code: Sendable, Hashable {
    /// The file could not be opened, read or written (see `cause`).
    case fileAccess
    /// The file ends before the data its header promises (or before the header).
    case truncated
    /// The header is not valid: bad length, not JSON, wrong structure, offsets out of
    /// range, overlapping or leaving gaps, a shape that does not match its byte size.
    case corruptHeader
    /// A tensor has a dtype other than `F32`.
    case unsupportedDType
    /// The keys of a file and of the module (or optimizer) differ.
    case keyMismatch
    /// A tensor's shape differs from the module's (or optimizer's) tensor of that key.
    case shapeMismatch
  }

  public let code: Code
  /// The file (or other source) the error is about, when there is one.
  public let path: String?
  /// What went wrong and, where useful, what to do.
  public let message: String
  /// The underlying error (an I/O error).
  public let cause: (any Error)?

  public init(_ code: Code, path: String? = nil, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.path = path
    self.message = message
    self.cause = cause
  }

  public var description: String {
    var text = path.map { "\($0): " } ?? ""
    text += message
    if let cause { text += " (\(cause))" }
    return text
  }

  /// Keys missing from or unexpected in a source, as one error.
  static func keyMismatch(missing: [String], unexpected: [String], path: String?) -> NNError {
    func list(_ keys: [String]) -> String {
      keys.prefix(8).joined(separator: ", ") + (keys.count > 8 ? ", … (\(keys.count) in all)" : "")
    }
    var parts: [String] = []
    if !missing.isEmpty { parts.append("missing keys: \(list(missing))") }
    if !unexpected.isEmpty { parts.append("unexpected keys: \(list(unexpected))") }
    return NNError(
      .keyMismatch, path: path,
      "the tensors do not match the module (\(parts.joined(separator: "; "))); was it saved from a different architecture?"
    )
  }
}
