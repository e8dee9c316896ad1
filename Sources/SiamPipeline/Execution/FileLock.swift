import Foundation

/// An exclusive flock(2) on a file: one task per sweep point (without waiting), one
/// coordinator per sweep folder (waiting). The kernel drops it when its holder
/// ends, however it ends.
final class FileLock: Sendable {
  private let descriptor: Int32

  private init(descriptor: Int32) { self.descriptor = descriptor }

  deinit { close(descriptor) }

  /// The lock of `path` (the file is created when missing).
  ///
  /// - Parameter waiting: Wait while another process holds it; otherwise return nil then.
  /// - Returns: The held lock, or nil (held elsewhere without waiting, or no file).
  static func acquire(_ path: String, waiting: Bool) -> FileLock? {
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return nil }
    guard FolderLock.lock(descriptor, waiting ? LOCK_EX : LOCK_EX | LOCK_NB) else {
      close(descriptor)
      return nil
    }
    return FileLock(descriptor: descriptor)
  }

  /// Whether some process holds the lock of `path` now.
  static func isHeld(_ path: String) -> Bool {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    if flock(descriptor, LOCK_SH | LOCK_NB) == 0 { return false }
    return errno == EWOULDBLOCK
  }

  func release() { _ = flock(descriptor, LOCK_UN) }
}
