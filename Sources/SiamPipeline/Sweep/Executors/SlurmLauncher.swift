import Foundation

/// Submits a sweep's tasks to Slurm: the shared-stage task as one job, the points as job
/// arrays (`--array=0-(n-1)%max_parallel`, split at the cluster's `MaxArraySize`) that
/// depend on it (`--dependency=afterok:`), and reads their states from `squeue` (never
/// `sacct`, which clusters without accounting storage lack).
final class SlurmLauncher: TaskLauncher, @unchecked Sendable {
  let workspace: SweepWorkspace
  let executable: String
  let executor: ExecutorSpec
  /// Points per array; nil: the cluster's `MaxArraySize`.
  let maxArraySizeOverride: Int?

  init(workspace: SweepWorkspace, executable: String, executor: ExecutorSpec, maxArraySize: Int? = nil) {
    self.workspace = workspace
    self.executable = executable
    self.executor = executor
    maxArraySizeOverride = maxArraySize
  }

  var outlivesCoordinator: Bool { true }

  /// The path of a Slurm command, or an error naming the package that has it.
  static func tool(_ name: String) throws(RunError) -> String {
    guard let path = Subprocess.find(name) else {
      throw RunError(
        .executor,
        "\(name) is not installed: the Slurm executor needs Slurm's client commands (Debian: apt-get install slurm-client; "
          + "scripts/slurm-local.sh start brings up a one-machine cluster), or use --executor local")
    }
    return path
  }

  /// `MaxArraySize` of the cluster (`scontrol show config`); 1001, Slurm's default, when
  /// it cannot be read.
  static func maxArraySize() -> Int {
    guard let scontrol = try? tool("scontrol"), let output = try? Subprocess.run(scontrol, ["show", "config"]),
      output.status == 0
    else { return 1001 }
    for line in output.stdout.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
      if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
        value > 0
      {
        return value
      }
    }
    return 1001
  }

  func submitShared(_ manifest: SweepWorkspace.Manifest) throws(RunError) -> SweepWorkspace.Manifest.Submission {
    let command =
      "exec \(Subprocess.quoted(executable)) sweep task \(Subprocess.quoted(workspace.path)) --shared"
      + " --threads \"${SLURM_CPUS_PER_TASK:-1}\""
    let script = batchScript(log: workspace.sharedLogPath, body: [command])
    let id = try sbatch(script: script, name: "shared", arguments: [])
    return .init(kind: "shared", jobID: id, points: [], submittedAt: Date().timeIntervalSince1970)
  }

  func submitPoints(
    _ points: [Int], after: String?, manifest: SweepWorkspace.Manifest
  ) throws(RunError) -> [SweepWorkspace.Manifest.Submission] {
    let chunkSize = max(1, maxArraySizeOverride ?? Self.maxArraySize())
    var submissions: [SweepWorkspace.Manifest.Submission] = []
    var start = 0
    while start < points.count {
      let chunk = Array(points[start..<min(points.count, start + chunkSize)])
      let number = manifest.submissions.count + submissions.count
      let list = "\(workspace.path)/slurm/points-\(number).txt"
      do {
        try FileDigest.createDirectory(workspace.path + "/slurm")
        try FileDigest.writeAtomically(Data(chunk.map(String.init).joined(separator: "\n").utf8 + [10]), to: list)
      } catch {
        throw RunError(.executor, "cannot write \(list)", cause: error)
      }
      let body = [
        "point=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" \(Subprocess.quoted(list)))",
        "exec >>\"\(workspace.path)/logs/point-$point.log\" 2>&1",
        "exec \(Subprocess.quoted(executable)) sweep task \(Subprocess.quoted(workspace.path)) --point \"$point\""
          + " --threads \"${SLURM_CPUS_PER_TASK:-1}\"",
      ]
      var arguments = ["--array=0-\(chunk.count - 1)" + (executor.maxParallel.map { "%\($0)" } ?? "")]
      if let after { arguments.append("--dependency=afterok:\(after)") }
      let script = batchScript(log: "\(workspace.path)/logs/slurm-%A_%a.out", body: body)
      let id = try sbatch(script: script, name: "points-\(number)", arguments: arguments)
      submissions.append(.init(kind: "points", jobID: id, points: chunk, submittedAt: Date().timeIntervalSince1970))
      start += chunk.count
    }
    return submissions
  }

  func states(_ manifest: SweepWorkspace.Manifest) -> (shared: TaskState, points: [Int: TaskState]) {
    let ids = Set(manifest.submissions.map(\.jobID))
    guard !ids.isEmpty, let squeue = try? Self.tool("squeue"),
      let output = try? Subprocess.run(
        squeue, ["-h", "-t", "all", "-j", ids.sorted().joined(separator: ","), "-o", "%F|%K|%T|%N|%r"])
    else { return (.unknown, [:]) }
    // job id → array task id (nil for a job that is not an array) → state
    var byJob: [String: [Int?: TaskState]] = [:]
    for line in output.stdout.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 5 else { continue }
      let state = Self.taskState(slurm: fields[2], node: fields[3], reason: fields[4])
      if fields[1] == "N/A" || fields[1].isEmpty {
        byJob[fields[0], default: [:]][nil] = state
      } else {
        for index in Self.arrayIndices(fields[1]) { byJob[fields[0], default: [:]][index] = state }
      }
    }
    var shared = TaskState.unknown
    var points: [Int: TaskState] = [:]
    for submission in manifest.submissions {
      guard let states = byJob[submission.jobID] else { continue }
      if submission.kind == "shared" {
        shared = states[nil] ?? .unknown
      } else {
        for (index, point) in submission.points.enumerated() {
          if let state = states[index] { points[point] = state }
        }
      }
    }
    return (shared, points)
  }

  func cancel(_ points: [Int], manifest: SweepWorkspace.Manifest) throws(RunError) -> [Int] {
    let scancel = try Self.tool("scancel")
    var targets: [String] = []
    for point in points {
      if let (submission, index) = manifest.submission(of: point) { targets.append("\(submission.jobID)_\(index)") }
    }
    if let shared = manifest.submissions.last(where: { $0.kind == "shared" }) { targets.append(shared.jobID) }
    guard !targets.isEmpty else { return [] }
    let output = try Subprocess.run(scancel, targets)
    if output.status != 0 && !output.stderr.contains("already completed") && !output.stderr.contains("Invalid job id") {
      throw RunError(.executor, "scancel refused: \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return points
  }

  // MARK: - Submission

  private func batchScript(log: String, body: [String]) -> String {
    var lines = ["#!/bin/bash", "# siam sweep \(workspace.id): written by siam, submitted with sbatch"]
    lines.append("#SBATCH --output=\(log)")
    lines.append("set -e")
    lines.append("mkdir -p \(Subprocess.quoted(workspace.path + "/logs"))")
    lines += executor.setup
    lines += body
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes `script` under `slurm/` and submits it; returns the job id.
  private func sbatch(script: String, name: String, arguments: [String]) throws(RunError) -> String {
    let sbatch = try Self.tool("sbatch")
    let path = "\(workspace.path)/slurm/\(name).sbatch"
    do {
      try FileDigest.createDirectory(workspace.path + "/slurm")
      try FileDigest.createDirectory(workspace.path + "/logs")
      try FileDigest.writeAtomically(Data(script.utf8), to: path)
    } catch {
      throw RunError(.executor, "cannot write the batch script \(path)", cause: error)
    }
    var options = ["--parsable", "--job-name=siam-\(workspace.id)-\(name)"]
    if let partition = executor.partition { options.append("--partition=\(partition)") }
    if let account = executor.account { options.append("--account=\(account)") }
    if let qos = executor.qos { options.append("--qos=\(qos)") }
    options.append("--cpus-per-task=\(executor.cpusPerTask ?? 1)")
    if let mem = executor.mem { options.append("--mem=\(mem)") }
    if let time = executor.time { options.append("--time=\(time)") }
    let output = try Subprocess.run(sbatch, options + arguments + executor.sbatchArgs + [path])
    let id =
      output.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first.map(String.init) ?? ""
    guard output.status == 0, !id.isEmpty, id.allSatisfy(\.isNumber) else {
      let message = (output.stderr + output.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
      throw RunError(
        .executor, "Slurm refused the job \(path): \(message.isEmpty ? "sbatch exited with \(output.status)" : message)"
      )
    }
    return id
  }

  // MARK: - squeue's formats

  /// Slurm's job state as a `TaskState`.
  static func taskState(slurm state: String, node: String, reason: String) -> TaskState {
    switch state {
    case "PENDING", "REQUEUED", "SUSPENDED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD":
      return .queued(reason: reason.isEmpty || reason == "None" ? nil : reason)
    case "RUNNING", "CONFIGURING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING":
      return .running(node: node.isEmpty ? nil : node)
    default:
      return .ended(state: state, exitCode: nil)
    }
  }

  /// The array task ids of squeue's `%K` (`0-3%2`, `2,5-7`, `4`).
  static func arrayIndices(_ text: String) -> [Int] {
    let list = text.split(separator: "%").first ?? ""
    var out: [Int] = []
    for part in list.split(separator: ",") {
      let bounds = part.split(separator: "-").compactMap { Int($0) }
      if bounds.count == 1 {
        out.append(bounds[0])
      } else if bounds.count == 2, bounds[0] <= bounds[1], bounds[1] - bounds[0] < 1_000_000 {
        out += Array(bounds[0]...bounds[1])
      }
    }
    return out
  }
}
