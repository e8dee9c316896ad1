import Foundation
import SiamStore

/// Runs a sweep's tasks as child processes of the coordinator, `maxParallel` at once,
/// each `siam sweep task` with `threadsPerTask` engine and BLAS threads; the points start
/// once the shared-stage task has succeeded.
///
/// A coordinator that is not the parent (`siam sweep status` from another shell) sees a
/// point as running while its task holds the point's lock.
final class LocalLauncher: TaskLauncher, @unchecked Sendable {
  let workspace: SweepWorkspace
  let executable: String
  let maxParallel: Int
  let threadsPerTask: Int
  let sharedThreads: Int

  private let lock = NSLock()
  private var queue: [Int] = []
  private var running: [Int: Process] = [:]
  private var ended: [Int: Int32] = [:]
  private var shared: Process?
  private var sharedEnded: Int32?
  private var counter = 0

  init(workspace: SweepWorkspace, executable: String, maxParallel: Int, threadsPerTask: Int, sharedThreads: Int) {
    self.workspace = workspace
    self.executable = executable
    self.maxParallel = max(1, maxParallel)
    self.threadsPerTask = max(1, threadsPerTask)
    self.sharedThreads = max(1, sharedThreads)
  }

  var outlivesCoordinator: Bool { false }

  func submitShared(_ manifest: SweepWorkspace.Manifest) throws(RunError) -> SweepWorkspace.Manifest.Submission {
    let process = try start(["--shared", "--threads", String(sharedThreads)], log: workspace.sharedLogPath)
    lock.withLock { shared = process }
    return .init(
      kind: "shared", jobID: "pid-\(process.processIdentifier)", points: [], submittedAt: Date().timeIntervalSince1970)
  }

  func submitPoints(
    _ points: [Int], after: String?, manifest: SweepWorkspace.Manifest
  ) throws(RunError) -> [SweepWorkspace.Manifest.Submission] {
    let id = lock.withLock { () -> String in
      counter += 1
      queue += points
      for point in points { ended[point] = nil }
      return "local-\(getpid())-\(counter)"
    }
    try startReady()
    return [.init(kind: "points", jobID: id, points: points, submittedAt: Date().timeIntervalSince1970)]
  }

  func states(_ manifest: SweepWorkspace.Manifest) -> (shared: TaskState, points: [Int: TaskState]) {
    try? startReady()
    return lock.withLock {
      var points: [Int: TaskState] = [:]
      let owned = !queue.isEmpty || !running.isEmpty || !ended.isEmpty || shared != nil
      for point in manifest.points.map(\.index) {
        if let process = running[point] {
          points[point] = .running(node: "pid \(process.processIdentifier)")
        } else if let status = ended[point] {
          points[point] = .ended(state: "EXITED", exitCode: status)
        } else if queue.contains(point) {
          points[point] =
            sharedEnded.map { $0 != 0 } == true
            ? .queued(reason: "DependencyNeverSatisfied") : .queued(reason: shared == nil ? "Resources" : "Dependency")
        } else if !owned, FileLock.isHeld(workspace.lockPath(point: point)) {
          points[point] = .running(node: workspace.readTask(point: point)?.host)
        } else {
          points[point] = .unknown
        }
      }
      let sharedState: TaskState =
        if let process = shared, process.isRunning {
          .running(node: "pid \(process.processIdentifier)")
        } else if let sharedEnded {
          .ended(state: "EXITED", exitCode: sharedEnded)
        } else { .unknown }
      return (sharedState, points)
    }
  }

  func cancel(_ points: [Int], manifest: SweepWorkspace.Manifest) throws(RunError) -> [Int] {
    lock.withLock {
      var stopped: [Int] = []
      for point in points {
        if let index = queue.firstIndex(of: point) {
          queue.remove(at: index)
          stopped.append(point)
        } else if let process = running[point] {
          kill(process.processIdentifier, SIGTERM)
          stopped.append(point)
        } else if FileLock.isHeld(workspace.lockPath(point: point)), let report = workspace.readTask(point: point),
          report.host == ProcessLiveness.hostName
        {
          // A task another `siam sweep` started (`siam sweep cancel` from another shell);
          // that coordinator drops the queued ones itself (it reads `cancelled`).
          kill(report.pid, SIGTERM)
          stopped.append(point)
        }
      }
      return stopped
    }
  }

  /// Reaps ended children and starts queued points while slots are free and the shared
  /// task (if any) has succeeded.
  private func startReady() throws(RunError) {
    var toStart: [Int] = []
    // Points cancelled from another process (`siam sweep cancel`) are not started.
    let cancelled = (try? workspace.readManifest())?.cancelled ?? []
    lock.withLock {
      queue.removeAll { cancelled.contains($0) }
      if let process = shared, !process.isRunning, sharedEnded == nil {
        process.waitUntilExit()
        sharedEnded = process.terminationStatus
      }
      for (point, process) in running where !process.isRunning {
        process.waitUntilExit()
        ended[point] = process.terminationStatus
        running[point] = nil
      }
      let sharedDone = shared == nil || sharedEnded == 0
      while sharedDone, running.count + toStart.count < maxParallel, !queue.isEmpty {
        toStart.append(queue.removeFirst())
      }
    }
    for point in toStart {
      let process = try start(
        ["--point", String(point), "--threads", String(threadsPerTask)], log: workspace.logPath(point: point))
      lock.withLock { running[point] = process }
    }
  }

  private func start(_ arguments: [String], log: String) throws(RunError) -> Process {
    do {
      try FileDigest.createDirectory((log as NSString).deletingLastPathComponent)
    } catch {
      throw RunError(.executor, "cannot create the log folder of \(log)", cause: error)
    }
    if !FileManager.default.fileExists(atPath: log) { _ = FileManager.default.createFile(atPath: log, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: log) else {
      throw RunError(.executor, "cannot write the task log \(log)")
    }
    _ = try? handle.seekToEnd()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = ["sweep", "task", workspace.path] + arguments
    process.standardOutput = handle
    process.standardError = handle
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw RunError(.executor, "cannot start \(executable) for the sweep's task", cause: error)
    }
    try? handle.close()
    return process
  }
}
