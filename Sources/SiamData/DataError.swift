/// The one error type of `SiamData`: a malformed, missing or unreadable data file, or an
/// invalid dataset option.
///
/// Bad files never trap; every reader throws a `DataError` whose `description` starts
/// with the offending path, says what was found, and says what to do about it:
///
///     /data/train-images-idx3-ubyte.gz: truncated: the header declares 60000 images of
///     28×28 (47040016 bytes) but the file holds 1000016 bytes; download the file again
public struct DataError: Error, CustomStringConvertible, Sendable {
  /// What kind of failure this is (a small closed set, stable for tests and messages).
  public enum Code: String, Sendable, Hashable, CaseIterable {
    /// A file (or a dataset folder) does not exist.
    case fileNotFound
    /// A file exists but could not be read, or its compressed stream is corrupt.
    case unreadable
    /// A file (a `.npy` output, a cache entry) could not be written.
    case unwritable
    /// The magic number at the start of a file is not the one its format requires.
    case badMagic
    /// A file ends before the data its header (or its record size) requires.
    case truncated
    /// Two files (or a header and a file) disagree on how many samples there are.
    case countMismatch
    /// A header is present but malformed (a `.npy` dictionary, IDX dimensions, extra bytes).
    case badHeader
    /// A label is outside `0..<classCount` or negative.
    case badLabel
    /// A well-formed file uses a feature this reader does not implement (dtype, order, layout).
    case unsupported
    /// A dataset option is out of range (a limit of 0, a fraction above 1, ...).
    case invalidOption
  }

  public var code: Code
  /// What went wrong and what to do about it, without the path.
  public var message: String
  /// The file or folder concerned, if any.
  public var path: String?
  /// The underlying error (a POSIX error, a zlib failure), if any.
  public var cause: (any Error & Sendable)?

  public init(_ code: Code, _ message: String, path: String? = nil, cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.path = path
    self.cause = cause
  }

  /// `path: message` (just the message when no path is involved), then the cause.
  public var description: String {
    var text = path.map { "\($0): \(message)" } ?? message
    if let cause { text += " (cause: \(cause))" }
    return text
  }
}

/// An `errno` value with its `strerror` text, used as the `cause` of I/O errors.
public struct SystemError: Error, CustomStringConvertible, Sendable, Hashable {
  public var value: Int32
  public var text: String

  public init(_ value: Int32, text: String) {
    self.value = value
    self.text = text
  }

  public var description: String { "\(text) (errno \(value))" }
}
