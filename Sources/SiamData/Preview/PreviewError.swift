/// Why an augmentation preview could not be made or written.
public enum PreviewError: Error, Equatable, CustomStringConvertible {
  /// The request is malformed (no samples, an index out of range, a bad scale).
  case invalidRequest(String)
  /// The file could not be opened or written.
  case cannotWrite(path: String, reason: String)
  /// libpng could not be set up.
  case encodingFailed(String)

  public var description: String {
    switch self {
    case .invalidRequest(let message):
      return "augmentation preview: \(message)"
    case .cannotWrite(let path, let reason):
      return "cannot write augmentation preview to \(path): \(reason); check that the folder exists and is writable"
    case .encodingFailed(let message):
      return "cannot encode augmentation preview as PNG: \(message)"
    }
  }
}
