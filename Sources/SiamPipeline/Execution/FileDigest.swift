import Crypto
import Foundation

/// SHA-256 and size of files, and small file-system helpers of the cache.
enum FileDigest {
  /// Lower-case hex SHA-256 and size of the file at `path`.
  ///
  /// - Complexity: O(file size); reads in 1 MiB chunks.
  static func digest(of path: String) throws -> (sha256: String, size: Int) {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw RunError(.cache, "cannot read \(path)")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    var size = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(data: chunk)
      size += chunk.count
    }
    return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
  }

  /// The regular files under `directory`, relative paths, sorted.
  static func files(under directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var out: [String] = []
    while let item = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: directory + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
        out.append(item)
      }
    }
    return out.sorted()
  }

  /// rename(2): atomic within one file system.
  static func rename(_ from: String, to: String) throws {
    guard Foundation.rename(from, to) == 0 else {
      throw RunError(.cache, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
    }
  }

  static func createDirectory(_ path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw RunError(.cache, "cannot create the folder \(path)", cause: error)
    }
  }

  /// Writes `data` to `path` through a temporary file and rename(2).
  static func writeAtomically(_ data: Data, to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw RunError(.cache, "cannot write \(path)", cause: error)
    }
    try rename(temporary, to: path)
  }

  /// Now, ISO 8601 in UTC.
  static func timestamp(_ date: Date = Date()) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }
}
