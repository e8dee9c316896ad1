/// The one error type of SiamEval: an evaluation that cannot run as configured (a
/// non-positive epoch count, `k` larger than the train split, features and labels of
/// different lengths, train and test features of different widths).
///
/// Programmer errors (a tensor of the wrong rank passed to a kernel) trap instead;
/// `EvalError` is for values that come from a pipeline file or a dataset.
public struct EvalError: Error, CustomStringConvertible, Sendable {
  /// The closed set of things that go wrong.
  public enum Code: Sendable, Hashable {
    /// A configuration value is out of range (see `key`).
    case invalidConfiguration
    /// The inputs do not fit together (shapes, counts, class ranges).
    case invalidInput
  }

  public let code: Code
  /// The configuration key or input the error is about (`linear.epochs`, `test.features`).
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

  /// Throws `invalidConfiguration` for `key` unless `condition` holds.
  static func require(_ condition: Bool, key: String, _ message: @autoclosure () -> String) throws {
    if !condition { throw EvalError(.invalidConfiguration, key: key, message()) }
  }
}
