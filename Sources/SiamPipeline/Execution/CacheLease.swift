import Foundation
import Synchronization

/// The cache folders one run uses, each held with a shared advisory lock (flock(2)
/// `LOCK_SH` on the folder) until the run ends: the entries it reuses or writes and the
/// work folder of the stage it executes.
///
/// `siam cache gc` removes a folder only after taking an exclusive lock on it without
/// waiting (`LOCK_EX | LOCK_NB`); a folder a run holds is left alone. The kernel drops the
/// locks of a process that ends, however it ends, so a killed run never leaves one behind.
/// See docs/caching.md, "Collecting garbage".
public final class CacheLease: Sendable {
  private let held = Mutex<[String: Int32]>([:])

  public init() {}

  deinit { release() }

  /// Holds the folder at `path` under `key` (the path when nil) until `release()`.
  ///
  /// Waits while a collector holds the folder exclusively (the moment it takes to rename it
  /// aside), then checks that `path` still names the folder it locked.
  ///
  /// - Returns: Whether the folder is held; false when it does not exist (any more).
  @discardableResult
  public func hold(_ path: String, as key: String? = nil) -> Bool {
    let key = key ?? path
    if held.withLock({ $0[key] != nil }) { return true }
    guard let descriptor = FolderLock.open(path) else { return false }
    guard FolderLock.lock(descriptor, LOCK_SH), FolderLock.isFolder(descriptor, at: path) else {
      close(descriptor)
      return false
    }
    let kept = held.withLock { held -> Bool in
      if held[key] != nil { return false }
      held[key] = descriptor
      return true
    }
    if !kept { close(descriptor) }
    return true
  }

  /// Whether `key` is held.
  public func isHolding(_ key: String) -> Bool {
    held.withLock { $0[key] != nil }
  }

  /// Sets the modification time of the folder held under `key` to now: how a run marks
  /// the last use of an entry it reuses (`siam cache ls` shows it as "last used").
  public func touch(_ key: String) {
    held.withLock { held in
      if let descriptor = held[key] { _ = futimens(descriptor, nil) }
    }
  }

  /// Releases the folder held under `key`, if any.
  public func release(_ key: String) {
    if let descriptor = held.withLock({ $0.removeValue(forKey: key) }) { close(descriptor) }
  }

  /// Releases every folder.
  public func release() {
    let descriptors = held.withLock { held in
      defer { held.removeAll() }
      return Array(held.values)
    }
    for descriptor in descriptors { close(descriptor) }
  }
}

/// flock(2) on folders, shared by `CacheLease` and the garbage collector.
enum FolderLock {
  /// A read-only descriptor of the folder at `path`, or nil when there is none.
  static func open(_ path: String) -> Int32? {
    let descriptor = Foundation.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    return descriptor >= 0 ? descriptor : nil
  }

  /// Takes `operation` (`LOCK_SH`, `LOCK_EX`, optionally `| LOCK_NB`) on `descriptor`,
  /// retrying when a signal interrupts the wait.
  static func lock(_ descriptor: Int32, _ operation: Int32) -> Bool {
    while true {
      if flock(descriptor, operation) == 0 { return true }
      if errno != EINTR { return false }
    }
  }

  /// Whether `path` still names the folder open as `descriptor` (same device and inode):
  /// false when it was renamed or removed, or another folder took its place.
  static func isFolder(_ descriptor: Int32, at path: String) -> Bool {
    var open = stat()
    var named = stat()
    guard fstat(descriptor, &open) == 0, stat(path, &named) == 0 else { return false }
    return open.st_dev == named.st_dev && open.st_ino == named.st_ino
  }

  /// What an exclusive lock without waiting finds.
  enum Attempt {
    /// Locked: the descriptor holds the lock until it is closed.
    case locked(Int32)
    /// A run holds the folder.
    case busy
    /// The folder is gone.
    case missing
  }

  /// Tries `LOCK_EX | LOCK_NB` on the folder at `path`.
  static func tryExclusive(_ path: String) -> Attempt {
    guard let descriptor = open(path) else { return .missing }
    guard lock(descriptor, LOCK_EX | LOCK_NB) else {
      close(descriptor)
      return .busy
    }
    guard isFolder(descriptor, at: path) else {
      close(descriptor)
      return .missing
    }
    return .locked(descriptor)
  }
}
