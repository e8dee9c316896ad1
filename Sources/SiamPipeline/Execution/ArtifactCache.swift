import Foundation

/// The content-addressed artifact cache under `<root>/cache/`.
///
/// Layout (see docs/caching.md):
///
///     cache/<fp[0:2]>/<fp>/manifest.json     a finished entry and its artifacts
///     cache/tmp/<fp>-<pid>-<random>/         an entry being written
///     cache/work/<fp>/                       checkpoints of an unfinished stage (resume)
///     cache/corrupt/<fp>-<time>-<n>/         entries that failed verification
///     cache/replaced/<fp>-<time>-<n>/        entries being replaced (removed at once)
///     cache/datasets/                        dataset content hashes
///
/// An entry appears only by rename(2) of a finished temporary folder, so a killed run
/// never leaves a half-written entry; `siam cache gc` removes one the same way backwards
/// (rename(2) into `tmp/`, then delete). A run holds what it uses with a `CacheLease`.
public struct ArtifactCache: Sendable {
  /// What a lookup finds.
  public enum Lookup: Sendable, Hashable {
    case hit(CacheManifest)
    case miss
    /// The entry exists but cannot be trusted; the reason says why.
    case corrupt(String)
  }

  /// The cache folder (`runs/cache`).
  public let directory: String

  public init(directory: String) {
    self.directory = directory
  }

  public func entryDirectory(_ fingerprint: String) -> String {
    "\(directory)/\(fingerprint.prefix(2))/\(fingerprint)"
  }

  /// The stable work folder of a stage (pretraining checkpoints), kept across runs until
  /// the entry is committed.
  public func workDirectory(_ fingerprint: String) -> String { "\(directory)/work/\(fingerprint)" }

  /// Creates (or reuses) the work folder of `fingerprint` and holds it in `lease`, so
  /// that `siam cache gc` leaves it alone while the stage runs (on a file system without
  /// flock(2) it is used unheld).
  ///
  /// - Returns: The work folder.
  /// - Throws: `RunError` when it cannot be created.
  public func prepareWorkDirectory(_ fingerprint: String, lease: CacheLease) throws -> String {
    let work = workDirectory(fingerprint)
    // A collector may rename the folder aside between the mkdir and the lock: make it again.
    for _ in 0..<3 {
      try FileDigest.createDirectory(work)
      if lease.hold(work) { return work }
    }
    return work
  }

  public var datasetHashDirectory: String { "\(directory)/datasets" }

  /// Finds and verifies the entry of `fingerprint`: manifest parses and matches, every
  /// file has its recorded size and SHA-256.
  ///
  /// - Complexity: Reads every file of the entry once.
  public func lookup(_ fingerprint: String) -> Lookup {
    let entry = entryDirectory(fingerprint)
    var info = stat()
    guard lstat(entry, &info) == 0 else { return .miss }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      return .corrupt("the entry is not a folder (a symbolic link or a file)")
    }
    let manifestPath = entry + "/manifest.json"
    if let problem = FileDigest.problemWithEntryFile("manifest.json", in: entry) { return .corrupt(problem) }
    guard let data = FileDigest.contentsOfRegularFile(manifestPath) else {
      return .corrupt("manifest.json cannot be read")
    }
    let manifest: CacheManifest
    do {
      manifest = try CacheManifest.decoded(from: data)
    } catch {
      return .corrupt("manifest.json cannot be parsed")
    }
    guard manifest.fingerprint == fingerprint else {
      return .corrupt("manifest.json names fingerprint \(manifest.fingerprint.prefix(12))")
    }
    for file in manifest.files {
      // Only regular files inside the entry are read: no symbolic link, FIFO or device
      // (which could hang the hash or read outside the cache), no path leaving the folder.
      if let problem = FileDigest.problemWithEntryFile(file.path, in: entry) { return .corrupt(problem) }
      guard let digest = try? FileDigest.digestOfRegularFile(entry + "/" + file.path) else {
        return .corrupt("\(file.path) cannot be read")
      }
      if digest.size != file.size {
        return .corrupt("\(file.path) has \(digest.size) bytes, the manifest says \(file.size)")
      }
      if digest.sha256 != file.sha256 { return .corrupt("\(file.path) does not match its SHA-256") }
    }
    return .hit(manifest)
  }

  /// `lookup(_:)` of an entry first held in `lease`; a hit's folder gets the time of this
  /// use as its modification time (the "last used" of `siam cache ls`).
  ///
  /// - Complexity: Reads every file of the entry once.
  public func lookup(_ fingerprint: String, holdingIn lease: CacheLease) -> Lookup {
    let entry = entryDirectory(fingerprint)
    lease.hold(entry)
    let found = lookup(fingerprint)
    if case .hit = found { lease.touch(entry) }
    return found
  }

  /// Whether the work folder of `fingerprint` holds something to resume from.
  public func hasWork(_ fingerprint: String) -> Bool {
    !FileDigest.files(under: workDirectory(fingerprint) + "/checkpoints").isEmpty
  }

  /// Removes temporary folders left by processes that no longer exist (killed runs).
  ///
  /// - Returns: The folders removed.
  @discardableResult
  public func removeStaleTemporaryDirectories() -> [String] {
    let tmp = directory + "/tmp"
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []).sorted()
    var removed: [String] = []
    for name in names {
      let parts = name.split(separator: "-")
      guard parts.count == 3, let pid = Int32(parts[1]), pid != getpid() else { continue }
      if kill(pid, 0) != 0 && errno == ESRCH {
        try? FileManager.default.removeItem(atPath: tmp + "/" + name)
        removed.append(tmp + "/" + name)
      }
    }
    return removed
  }

  /// A fresh temporary folder for the entry of `fingerprint`.
  public func makeTemporaryDirectory(_ fingerprint: String) throws -> String {
    let path = "\(directory)/tmp/\(fingerprint)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    try FileDigest.createDirectory(path)
    return path
  }

  /// Writes the manifest of the files in `temporary` and renames the folder into place.
  ///
  /// - Parameter lease: Holds the entry from before the rename, so that no collector
  ///   removes it before the run has recorded it.
  /// - Returns: The manifest written.
  @discardableResult
  public func commit(
    temporary: String, stage: String, kind: String, fingerprint: String, metrics: StageMetrics, seconds: Double,
    lease: CacheLease? = nil
  ) throws -> CacheManifest {
    var files: [CacheManifest.File] = []
    for path in FileDigest.files(under: temporary) where path != "manifest.json" {
      let digest = try FileDigest.digest(of: temporary + "/" + path)
      files.append(.init(path: path, size: digest.size, sha256: digest.sha256))
    }
    let manifest = CacheManifest(
      stage: stage, kind: kind, fingerprint: fingerprint, files: files, metrics: metrics,
      created: FileDigest.timestamp(), engineVersion: Engine.version, seconds: seconds)
    try FileDigest.writeAtomically(try manifest.encoded(), to: temporary + "/manifest.json")
    let entry = entryDirectory(fingerprint)
    try FileDigest.createDirectory((entry as NSString).deletingLastPathComponent)
    if FileManager.default.fileExists(atPath: entry) {
      // Another run (or --no-cache) finished the same fingerprint: results are
      // deterministic, so the existing entry is replaced by moving it aside first.
      try moveAside(fingerprint, reason: nil)
    }
    lease?.release(entry)
    lease?.hold(temporary, as: entry)
    do {
      try FileDigest.rename(temporary, to: entry)
    } catch {
      // Another process published the same fingerprint between the check and the rename
      // (one that does not take the `ComputationLock`): results are deterministic, so
      // its verified entry is as good as ours, and publishing is a cache hit.
      guard case .hit(let existing) = lookup(fingerprint) else { throw error }
      lease?.release(entry)
      lease?.hold(entry)
      try? FileManager.default.removeItem(atPath: temporary)
      try? FileManager.default.removeItem(atPath: workDirectory(fingerprint))
      return existing
    }
    try? FileManager.default.removeItem(atPath: workDirectory(fingerprint))
    return manifest
  }

  /// Moves the entry of `fingerprint` to `corrupt/` (or `replaced/` when `reason` is nil).
  ///
  /// - Returns: Where it went.
  @discardableResult
  public func moveAside(_ fingerprint: String, reason: String?) throws -> String {
    let folder = reason == nil ? "replaced" : "corrupt"
    try FileDigest.createDirectory("\(directory)/\(folder)")
    let target =
      "\(directory)/\(folder)/\(fingerprint)-\(Int(Date().timeIntervalSince1970))-\(UInt16.random(in: 0...UInt16.max))"
    try FileDigest.rename(entryDirectory(fingerprint), to: target)
    if let reason {
      try? Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: target + "/CORRUPT.txt"))
    }
    if reason == nil { try? FileManager.default.removeItem(atPath: target) }
    return target
  }
}
