import Dispatch
import Foundation

/// Runs a handler when the process gets SIGINT or SIGTERM, then exits with status
/// 128 + signal (as a shell reports a killed process).
///
/// The handler runs on a dispatch queue, not in signal context, so it may write to the
/// run store; the pipeline's thread is left running until the exit.
final class SignalTrap: @unchecked Sendable {
  private var sources: [any DispatchSourceSignal] = []

  /// Installs the trap for SIGINT and SIGTERM.
  init(_ handler: @escaping @Sendable (Int32) -> Void) {
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global(qos: .userInitiated))
      source.setEventHandler {
        handler(signalNumber)
        fflush(nil)
        _exit(128 + signalNumber)
      }
      source.resume()
      sources.append(source)
    }
  }

  /// Restores the default actions.
  func remove() {
    for source in sources { source.cancel() }
    signal(SIGINT, SIG_DFL)
    signal(SIGTERM, SIG_DFL)
  }
}
