import Foundation

/// Whether a recorded process still runs: how the store tells a live `running` run from
/// one whose process was killed.
public enum ProcessLiveness {
  /// This machine's host name (`gethostname`).
  public static var hostName: String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// This process's id.
  public static var currentPID: Int { Int(getpid()) }

  /// Whether a process with `pid` exists on this machine (signal 0: no signal is sent;
  /// `EPERM` means it exists but belongs to someone else).
  public static func isAlive(pid: Int) -> Bool {
    guard pid > 0, pid <= Int(Int32.max) else { return false }
    if kill(pid_t(pid), 0) == 0 { return true }
    return errno == EPERM
  }
}
