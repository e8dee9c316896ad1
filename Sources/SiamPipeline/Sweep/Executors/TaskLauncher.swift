import Foundation

/// Where a submitted task stands, as its launcher sees it.
public enum TaskState: Sendable, Hashable {
  /// Waiting for resources; Slurm's reason (`Priority`, `Dependency`, `JobArrayTaskLimit`).
  case queued(reason: String?)
  case running(node: String?)
  /// Over: Slurm's state (`COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, ...) or `EXITED`
  /// for a local process, with the exit code when known.
  case ended(state: String, exitCode: Int32?)
  /// The launcher does not know the task (never submitted, or purged from Slurm).
  case unknown
}

/// Starts a sweep's tasks and tells where they stand: the one seam between the
/// coordinator (`SweepCoordinator`) and a way of running processes (local children,
/// Slurm job arrays).
protocol TaskLauncher: AnyObject {
  /// Starts the shared-stage task; returns its job id.
  func submitShared(_ manifest: SweepWorkspace.Manifest) throws(RunError) -> SweepWorkspace.Manifest.Submission
  /// Starts the tasks of `points`, after the shared job `after` succeeded when given.
  func submitPoints(
    _ points: [Int], after: String?, manifest: SweepWorkspace.Manifest
  ) throws(RunError) -> [SweepWorkspace.Manifest.Submission]
  /// The state of the shared task and of each point's latest task.
  func states(_ manifest: SweepWorkspace.Manifest) -> (shared: TaskState, points: [Int: TaskState])
  /// Stops what is queued or running of `points`; returns the points it stopped.
  func cancel(_ points: [Int], manifest: SweepWorkspace.Manifest) throws(RunError) -> [Int]
  /// Whether the tasks live on without this process (Slurm) or die with it (local).
  var outlivesCoordinator: Bool { get }
}

/// Runs a program and collects its output.
enum Subprocess {
  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The full path of `program` on `$PATH`, or nil.
  static func find(_ program: String) -> String? {
    if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for folder in path.split(separator: ":") {
      let candidate = "\(folder)/\(program)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// Runs `executable` with `arguments`, waiting for it.
  static func run(_ executable: String, _ arguments: [String]) throws(RunError) -> Output {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw RunError(.executor, "cannot start \(executable)", cause: error)
    }
    // Read both pipes before waiting, so that a full pipe never blocks the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// `argument` as one word of a POSIX shell.
  static func quoted(_ argument: String) -> String {
    if !argument.isEmpty,
      argument.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-./=:,+%@".contains($0)) })
    {
      return argument
    }
    return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
