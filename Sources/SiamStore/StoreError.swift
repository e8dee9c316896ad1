import GRDB

/// The error of the run store: it cannot be opened or migrated, a write or a read
/// failed, a run is not found, or a query is refused.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, broadly.
  public enum Code: String, Sendable, Hashable {
    /// The database file cannot be opened or created (path, permissions, not SQLite).
    case cannotOpen
    /// The schema cannot be brought up to date.
    case migration
    /// A write failed (locked past the busy timeout, a constraint, a full disk).
    case write
    /// A read failed.
    case read
    /// No run, sweep or other row matches what was asked for.
    case notFound
    /// A run id prefix matches several runs.
    case ambiguous
    /// A statement given to the read-only query is not a single read-only statement,
    /// or SQLite rejected it.
    case query
  }

  public let code: Code
  /// What went wrong and what to do.
  public let message: String
  /// The database file, when known.
  public let path: String?
  /// The SQL statement involved, when there is one.
  public let sql: String?
  /// The underlying error's description, if any.
  public let cause: String?

  public init(_ code: Code, _ message: String, path: String? = nil, sql: String? = nil, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.path = path
    self.sql = sql
    if let error = cause as? DatabaseError {
      self.cause = error.message ?? error.description
    } else {
      self.cause = cause.map { String(describing: $0) }
    }
  }

  public var description: String {
    var text = message
    if let cause { text += ": \(cause)" }
    if let path, !message.contains(path) { text += " (store \(path))" }
    return text
  }
}
