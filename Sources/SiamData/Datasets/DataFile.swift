import Foundation

/// Whole-file reads with `DataError`s that name the path, and transparent gzip.
///
/// Every dataset reader goes through here, so a missing file, a folder where a file was
/// expected, a permission problem and a corrupt `.gz` all give the same kind of message.
public enum DataFile {
  /// The bytes of the file at `path`, decompressed when they start with the gzip magic
  /// bytes `1f 8b` (whatever the file's name).
  ///
  /// - Parameters:
  ///   - path: The file to read.
  ///   - notFoundHint: A sentence added to the `fileNotFound` message (how to get the file).
  /// - Returns: The (decompressed) bytes.
  /// - Throws: `DataError` `.fileNotFound`, `.unreadable` or `.truncated`.
  /// - Complexity: O(file size); one read, one inflate.
  public static func read(_ path: String, notFoundHint: String = "") throws -> [UInt8] {
    let raw = try readRaw(path, notFoundHint: notFoundHint)
    if Gzip.isGzip(raw) { return try Gzip.decompress(raw, path: path) }
    return raw
  }

  /// The raw bytes of the file at `path` (no decompression).
  public static func readRaw(_ path: String, notFoundHint: String = "") throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    if fd < 0 {
      let code = errno
      if code == ENOENT {
        throw DataError(.fileNotFound, "no such file" + (notFoundHint.isEmpty ? "" : "; " + notFoundHint), path: path)
      }
      throw DataError(.unreadable, "cannot open the file", path: path, cause: SystemError.current(code))
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      throw DataError(.unreadable, "cannot stat the file", path: path, cause: SystemError.current(errno))
    }
    guard (UInt32(info.st_mode) & 0o170000) == 0o100000 else {  // S_ISREG
      throw DataError(.unreadable, "not a regular file (a folder?); give the path of the data file", path: path)
    }
    let size = Int(info.st_size)
    var failure: Int32 = 0
    var shortRead = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      var offset = 0
      while offset < size {
        let n = posixRead(fd, buffer.baseAddress! + offset, size - offset)
        if n < 0 {
          if errno == EINTR { continue }
          failure = errno
          break
        }
        if n == 0 {
          shortRead = true
          break
        }
        offset += n
      }
      // Zero what was not read so that the array is fully initialised even on failure.
      if offset < size { (buffer.baseAddress! + offset).initialize(repeating: 0, count: size - offset) }
      initialized = size
    }
    if failure != 0 {
      throw DataError(.unreadable, "read failed", path: path, cause: SystemError.current(failure))
    }
    if shortRead {
      throw DataError(
        .truncated, "the file shrank while it was read (\(size) bytes expected); read it again", path: path)
    }
    return bytes
  }

  /// Whether a regular file exists at `path`.
  public static func exists(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
  }

  /// The first of `candidates` that exists, or a `fileNotFound` error naming the first
  /// candidate (and the others) with `hint`.
  public static func firstExisting(_ candidates: [String], hint: String) throws -> String {
    precondition(!candidates.isEmpty, "no candidate paths")
    if let found = candidates.first(where: exists) { return found }
    let others = candidates.dropFirst().map { ($0 as NSString).lastPathComponent }
    let alternatives = others.isEmpty ? "" : " (nor \(others.joined(separator: ", ")))"
    throw DataError(.fileNotFound, "no such file\(alternatives); \(hint)", path: candidates[0])
  }

  /// Writes `bytes` to `path` atomically (a temporary file renamed over the target).
  ///
  /// - Throws: `DataError.unwritable` naming the path when the write fails.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let temporary = path + ".tmp-\(getpid())"
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw DataError(
        .unwritable, "cannot write the file (does its folder exist and is it writable?)", path: path,
        cause: SystemError(0, text: "\(error)"))
    }
    if rename(temporary, path) != 0 {
      let code = errno
      unlink(temporary)
      throw DataError(
        .unwritable, "cannot move the written file into place", path: path,
        cause: SystemError.current(code))
    }
  }
}

/// `read(2)` (a free function so that it is not shadowed by `DataFile.read`).
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

extension SystemError {
  /// The error for `code` with its `strerror` text.
  static func current(_ code: Int32) -> SystemError {
    SystemError(code, text: String(cString: strerror(code)))
  }
}
