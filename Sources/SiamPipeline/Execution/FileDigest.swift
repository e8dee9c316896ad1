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
    return try digest(of: handle)
  }

  /// SHA-256 and size of what `handle` reads to its end, in 1 MiB chunks.
  private static func digest(of handle: FileHandle) throws -> (sha256: String, size: Int) {
    var hasher = SHA256()
    var size = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(data: chunk)
      size += chunk.count
    }
    return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), size)
  }

  /// Why `relativePath` inside the folder `root` is not a regular file of that folder,
  /// or nil when it is one: the path must be relative without `..` or empty parts, no
  /// part of it may be a symbolic link out of the folder, and the file itself must be a
  /// regular file (not a symbolic link, FIFO, socket or device).
  static func problemWithEntryFile(_ relativePath: String, in root: String) -> String? {
    let parts = relativePath.split(separator: "/", omittingEmptySubsequences: false)
    if relativePath.isEmpty || relativePath.hasPrefix("/")
      || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." })
    {
      return "the manifest names '\(relativePath)', a path that leaves the entry"
    }
    let path = root + "/" + relativePath
    var info = stat()
    guard lstat(path, &info) == 0 else { return "\(relativePath) is missing" }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      return "\(relativePath) is not a regular file (a symbolic link, FIFO or device)"
    }
    guard let realRoot = realpath(root, nil), let realFile = realpath(path, nil) else {
      return "\(relativePath) is missing"
    }
    defer {
      free(realRoot)
      free(realFile)
    }
    if !String(cString: realFile).hasPrefix(String(cString: realRoot) + "/") {
      return "\(relativePath) lies outside the entry (through a symbolic link)"
    }
    return nil
  }

  /// A handle on the regular file at `path`, opened without following a symbolic link and
  /// without blocking on a FIFO swapped in after a check; nil when it is not one (or is
  /// larger than `limit` bytes).
  private static func openRegularFile(_ path: String, limit: Int = .max) -> FileHandle? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else {
      close(descriptor)
      return nil
    }
    return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
  }

  /// SHA-256 and size of a regular file (`openRegularFile`).
  ///
  /// - Throws: `RunError` when it is not a readable regular file.
  static func digestOfRegularFile(_ path: String) throws -> (sha256: String, size: Int) {
    guard let handle = openRegularFile(path) else { throw RunError(.cache, "\(path) is not a readable regular file") }
    return try digest(of: handle)
  }

  /// The contents of a regular file of at most `limit` bytes (manifests), or nil.
  static func contentsOfRegularFile(_ path: String, limit: Int = 64 << 20) -> Data? {
    guard let handle = openRegularFile(path, limit: limit) else { return nil }
    return try? handle.readToEnd() ?? Data()
  }

  /// The regular files under `directory`, relative paths, sorted.
  static func files(under directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var out: [String] = []
    while let item = enumerator.nextObject() as? String {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: directory + "/" + item, isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
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
