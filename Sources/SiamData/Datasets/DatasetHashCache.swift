import Crypto
import Foundation
import Synchronization

/// Computes each dataset's content hash once and remembers it, in memory for the process
/// and optionally in a cache folder across processes.
///
/// The key of an entry is a text that names the source (kind and options), the split, the
/// selection, the encoding version and, for every file the source reads, its path, size
/// and modification time (nanoseconds). A file that changes gets a new key, so a stale
/// hash is never returned; an unchanged file on a read-only disk (`/usr/share`) is hashed
/// once per cache folder. On disk an entry is `<folder>/<sha256 of the key>.sha256`
/// holding the 64 hex digits and a newline; a corrupt entry is recomputed and rewritten,
/// and a folder that cannot be written only costs the re-computation.
public final class DatasetHashCache: Sendable {
  /// The process-wide cache.
  public static let shared = DatasetHashCache()

  private let memory = Mutex<[String: String]>([:])

  public init() {}

  /// The content hash of `source`'s `split` after `selection`.
  ///
  /// - Parameters:
  ///   - cacheDirectory: A folder for on-disk entries (created if missing), typically
  ///     `runs/cache/datasets`; nil keeps entries in memory only.
  ///   - loaded: The dataset when the caller already loaded it (saves a second load on
  ///     a miss); it must be `source.load(split:selection:)`.
  /// - Returns: 64 lowercase hex digits, `Dataset.contentHash()` of the loaded data.
  /// - Throws: `DataError` when the source's files are missing or malformed (on a miss).
  public func contentHash(
    of source: DatasetSource, split: DatasetSplit, selection: DatasetSelection = .all,
    cacheDirectory: String? = nil, loaded: Dataset? = nil
  ) throws -> String {
    let key = try cacheKey(source: source, split: split, selection: selection)
    if let hit = memory.withLock({ $0[key] }) { return hit }
    let file = cacheDirectory.map { joinPath($0, hexString(SHA256.hash(data: Array(key.utf8))) + ".sha256") }
    if let file, let stored = Self.readEntry(file) {
      memory.withLock { $0[key] = stored }
      return stored
    }
    let hash = try (loaded ?? source.load(split: split, selection: selection)).contentHash()
    memory.withLock { $0[key] = hash }
    if let cacheDirectory, let file {
      try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true)
      try? DataFile.write(Array((hash + "\n").utf8), to: file)
    }
    return hash
  }

  /// Forgets every in-memory entry (on-disk entries stay).
  public func removeAllInMemory() {
    memory.withLock { $0.removeAll() }
  }

  /// The text that identifies one hash: source, split, selection, version and file stamps.
  ///
  /// - Throws: `DataError.fileNotFound` for a missing source file.
  public func cacheKey(source: DatasetSource, split: DatasetSplit, selection: DatasetSelection) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let sourceText = (try? String(decoding: encoder.encode(source), as: UTF8.self)) ?? "\(source)"
    var parts = [
      "siam-dataset-hash-v\(Dataset.contentHashVersion)", sourceText, "split=\(split.rawValue)",
      "selection=\(selection.label)",
    ]
    for path in try source.files(split: split) {
      parts.append(try Self.stamp(path))
    }
    return parts.joined(separator: "|")
  }

  /// `path:size:mtime` of a file, the mtime in nanoseconds.
  static func stamp(_ path: String) throws -> String {
    var info = stat()
    guard stat(path, &info) == 0 else {
      let code = errno
      if code == ENOENT { throw DataError(.fileNotFound, "no such file", path: path) }
      throw DataError(.unreadable, "cannot stat the file", path: path, cause: SystemError.current(code))
    }
    #if canImport(Darwin)
      let time = info.st_mtimespec
    #else
      let time = info.st_mtim
    #endif
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return "\(absolute):\(info.st_size):\(Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec))"
  }

  /// The hash stored in an entry file, or nil when it is missing or not 64 hex digits.
  private static func readEntry(_ file: String) -> String? {
    guard let bytes = try? DataFile.readRaw(file) else { return nil }
    let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.utf8.count == 64, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
      return nil
    }
    return text
  }
}

extension DatasetSource {
  /// The content hash of `split` after `selection`, through `DatasetHashCache.shared`.
  ///
  /// - Parameters:
  ///   - cacheDirectory: Folder for on-disk entries (`runs/cache/datasets`), or nil.
  ///   - loaded: The already loaded dataset, if any (saves a load on a cache miss).
  public func contentHash(
    split: DatasetSplit, selection: DatasetSelection = .all, cacheDirectory: String? = nil, loaded: Dataset? = nil
  ) throws -> String {
    try DatasetHashCache.shared.contentHash(
      of: self, split: split, selection: selection,
      cacheDirectory: cacheDirectory, loaded: loaded)
  }
}
