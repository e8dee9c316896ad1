import Foundation
import SiamStore

/// "One stage, one computation": an exclusive advisory lock per fingerprint, held by the
/// process that computes the stage from before it looks at the cache a last time until
/// its entry is published.
///
/// The lock is flock(2) `LOCK_EX` on `cache/locks/<fingerprint>.lock`. A second process
/// (or thread) that needs the same fingerprint waits on it, then finds the entry the first
/// one published and reuses it as a cache hit. The kernel drops the lock of a process that
/// ends however it ends (SIGKILL included), so a killed holder never blocks anyone: the
/// next holder resumes the stage from its last checkpoint. On NFS, Linux emulates flock(2)
/// with byte-range locks that the server arbitrates, so the lock holds across the nodes of
/// a cluster sharing `runs/` (see docs/caching.md).
///
/// The lock file holds the holder's pid and host, for the message of a waiting process.
public final class ComputationLock: Sendable {
  /// The lock file.
  public let path: String
  private let descriptor: Int32

  private init(path: String, descriptor: Int32) {
    self.path = path
    self.descriptor = descriptor
  }

  deinit { close(descriptor) }

  /// The lock file of `fingerprint` in `cache`.
  public static func path(in cache: ArtifactCache, fingerprint: String) -> String {
    "\(cache.directory)/locks/\(fingerprint).lock"
  }

  /// Takes the lock of `fingerprint`, waiting while another process holds it.
  ///
  /// - Parameters:
  ///   - cache: The cache whose `locks/` folder holds the lock file.
  ///   - fingerprint: The stage's fingerprint.
  ///   - willWait: Called once, before waiting, with the holder as the lock file names it
  ///     (`pid 1234 on node7`), when another process holds the lock.
  /// - Returns: The held lock; it is released by `release()` or when it is freed.
  /// - Throws: `RunError.cache` when the lock file cannot be created or locked.
  public static func acquire(
    in cache: ArtifactCache, fingerprint: String, willWait: (String) -> Void = { _ in }
  ) throws(RunError) -> ComputationLock {
    let path = path(in: cache, fingerprint: fingerprint)
    do {
      try FileDigest.createDirectory(cache.directory + "/locks")
    } catch {
      throw RunError(.cache, "cannot create the lock folder of \(cache.directory)", cause: error)
    }
    var hasWaited = false
    // A collector may remove an unheld lock file between our open and our lock: the lock
    // is ours only when the path still names the file we locked.
    for _ in 0..<100 {
      let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else {
        throw RunError(.cache, "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
      }
      if !FolderLock.lock(descriptor, LOCK_EX | LOCK_NB) {
        guard errno == EWOULDBLOCK else {
          let reason = String(cString: strerror(errno))
          close(descriptor)
          throw RunError(.cache, "cannot lock \(path): \(reason)")
        }
        if !hasWaited {
          hasWaited = true
          willWait(holder(descriptor))
        }
        guard FolderLock.lock(descriptor, LOCK_EX) else {
          let reason = String(cString: strerror(errno))
          close(descriptor)
          throw RunError(.cache, "cannot lock \(path): \(reason)")
        }
      }
      guard FolderLock.isFolder(descriptor, at: path) else {
        close(descriptor)
        continue
      }
      let note = Array("pid \(getpid()) on \(ProcessLiveness.hostName)\n".utf8)
      _ = ftruncate(descriptor, 0)
      _ = note.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
      return ComputationLock(path: path, descriptor: descriptor)
    }
    throw RunError(.cache, "cannot lock \(path): it is removed and created again repeatedly")
  }

  /// Whether another process (or another open of the file) holds the lock of
  /// `fingerprint` now: a stage being computed.
  public static func isHeld(in cache: ArtifactCache, fingerprint: String) -> Bool {
    FileLock.isHeld(path(in: cache, fingerprint: fingerprint))
  }

  /// Releases the lock (the file stays: removing it here would race with a waiter).
  public func release() {
    _ = flock(descriptor, LOCK_UN)
  }

  /// The holder the lock file names, or "another process".
  private static func holder(_ descriptor: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { return "another process" }
    let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? "another process" : text
  }
}
