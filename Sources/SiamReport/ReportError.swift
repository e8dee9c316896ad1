/// Why a report cannot be made: what was asked for is not in the store, the selection
/// is empty, or the output cannot be written. Its message is one line that says what to
/// do; problems with one part of a report (a missing dataset, a cache entry that is
/// gone) are not errors but notes in the report.
public struct ReportError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, broadly.
  public enum Code: String, Sendable, Hashable {
    /// A run, sweep or pipeline is not in the store (or a prefix is ambiguous).
    case notFound
    /// The selection holds no run.
    case empty
    /// The store cannot be read.
    case store
    /// The report file cannot be written.
    case output
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
