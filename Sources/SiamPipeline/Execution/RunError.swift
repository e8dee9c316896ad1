/// The error of running a pipeline: planning (a kind without a runner, an unreadable
/// dataset), a stage that failed, or a cache that cannot be written.
public struct RunError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, broadly.
  public enum Code: String, Sendable, Hashable {
    /// The plan cannot be made (a kind has no runner, data cannot be read for hashing).
    case planning
    /// A stage threw while executing.
    case stageFailed
    /// The cache or the run folder cannot be read or written.
    case cache
    /// A sweep's tasks cannot be launched, submitted, watched or cancelled (no `sbatch`,
    /// Slurm refused a job, a sweep folder that is not one).
    case executor
  }

  public let code: Code
  /// The stage the error is about, if any.
  public let stage: String?
  /// What went wrong and what to do.
  public let message: String
  /// The underlying error's description, if any.
  public let cause: String?

  public init(_ code: Code, stage: String? = nil, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.stage = stage
    self.message = message
    self.cause = cause.map { String(describing: $0) }
  }

  public var description: String {
    var text = stage.map { "stage '\($0)': " } ?? ""
    text += message
    if let cause { text += ": \(cause)" }
    return text
  }
}
