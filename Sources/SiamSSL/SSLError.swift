/// The one error type of SiamSSL: a method configuration that cannot work, or checkpoint
/// state that a method or a pretraining run cannot resume from.
///
/// Programmer errors (views of the wrong shape, a batch of another size than the method
/// was built for) trap instead.
public struct SSLError: Error, CustomStringConvertible, Sendable {
  /// The closed set of things that go wrong.
  public enum Code: Sendable, Hashable {
    /// A configuration value is out of range or inconsistent with another (a queue size
    /// that is not a multiple of the batch size, a non-positive temperature).
    case invalidConfiguration
    /// Loaded state is inconsistent (a queue pointer out of range).
    case invalidState
    /// A pretraining checkpoint belongs to another run: another method, method or
    /// training configuration, dataset or format version. Resuming from it would not
    /// continue this run.
    case checkpointMismatch
    /// Training diverged: a step's loss is not finite.
    case diverged
    /// A checkpoint file is damaged: truncated, unreadable, or not matching its checksum.
    case damagedCheckpoint
  }

  public let code: Code
  /// The configuration key or state key the error is about.
  public let key: String?
  /// What went wrong and what to do.
  public let message: String

  public init(_ code: Code, key: String? = nil, _ message: String) {
    self.code = code
    self.key = key
    self.message = message
  }

  public var description: String {
    (key.map { "\($0): " } ?? "") + message
  }
}
