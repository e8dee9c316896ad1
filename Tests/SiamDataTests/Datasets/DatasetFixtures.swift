import Foundation
import SiamData
import Testing

/// A fresh temporary folder for one test, removed when the value is released.
final class TemporaryDirectory {
  let path: String

  init() throws {
    path = NSTemporaryDirectory() + "siam-data-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// `path/name`.
  func file(_ name: String) -> String { path + "/" + name }

  /// Writes `bytes` to `name` and returns its path.
  @discardableResult
  func write(_ bytes: [UInt8], to name: String) throws -> String {
    try Data(bytes).write(to: URL(fileURLWithPath: file(name)))
    return file(name)
  }
}

/// Deterministic test bytes: `count` values of a simple hash of the index.
func patternBytes(_ count: Int, salt: Int = 0) -> [UInt8] {
  (0..<count).map { UInt8(truncatingIfNeeded: ($0 &* 31 &+ salt &* 17 &+ ($0 >> 5)) ^ ($0 >> 3)) }
}

/// Writes an MNIST-style split (`prefix` is `train` or `t10k`) of `count` `h×w` images.
///
/// - Returns: The images and labels written.
@discardableResult
func writeMNISTSplit(
  in dir: TemporaryDirectory, prefix: String, count: Int, height: Int = 4, width: Int = 5, gzip: Bool,
  labelCount: Int? = nil
) throws -> (pixels: [UInt8], labels: [Int]) {
  let pixels = patternBytes(count * height * width, salt: count)
  let labels = (0..<(labelCount ?? count)).map { ($0 * 7 + 3) % 10 }
  let images = IDXFile(dimensions: [count, height, width], bytes: pixels).encoded()
  let labelFile = IDXFile(dimensions: [labels.count], bytes: labels.map { UInt8($0) }).encoded()
  let suffix = gzip ? ".gz" : ""
  try dir.write(gzip ? Gzip.compress(images) : images, to: "\(prefix)-images-idx3-ubyte\(suffix)")
  try dir.write(gzip ? Gzip.compress(labelFile) : labelFile, to: "\(prefix)-labels-idx1-ubyte\(suffix)")
  return (pixels, labels)
}

/// Expects `body` to throw a `DataError` with `code`; returns it for further checks.
@discardableResult
func expectDataError(
  _ code: DataError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> DataError? {
  do {
    try body()
    Issue.record("expected DataError.\(code), nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as DataError {
    #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
    return error
  } catch {
    Issue.record("expected DataError.\(code), got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}

/// The bytes of a `.uint8` dataset (fails the test for floats).
func bytes(of dataset: Dataset, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
  guard case .uint8(let bytes) = dataset.pixels else {
    Issue.record("expected uint8 pixels", sourceLocation: sourceLocation)
    return []
  }
  return bytes
}
