import Foundation
import SiamStore

/// The folder of one run, `runs/<id>/`: `pipeline.resolved.json`, `plan.json`,
/// `origin.json` (sweep point, rerun), `environment.json`, `run.log`, `result.json` and
/// `stages/<name>` (a symbolic link to the stage's cache entry).
final class RunFolder: Sendable {
  let id: String
  let path: String

  private init(id: String, path: String) {
    self.id = id
    self.path = path
  }

  /// A new folder under `root`, named by the UTC time and a random suffix.
  static func create(root: String) throws(RunError) -> RunFolder {
    let (id, path) = try createUnique(in: root, what: "run")
    do {
      try FileDigest.createDirectory(path + "/stages")
    } catch {
      throw RunError(.cache, "cannot create the run folder \(path)")
    }
    _ = FileManager.default.createFile(atPath: path + "/run.log", contents: nil)
    // Until the run is recorded (the observers heard it start), the folder says who made
    // it: a process killed before that leaves a folder no store row names, and the next
    // run removes it (`removeOrphans`).
    try? Data("\(getpid()) \(ProcessLiveness.hostName)\n".utf8).write(
      to: URL(fileURLWithPath: path + "/" + startingFile))
    return RunFolder(id: id, path: path)
  }

  /// The marker of a run folder whose run has not been recorded yet.
  static let startingFile = "starting.pid"

  /// The run is recorded: the folder is no longer an orphan if the process dies.
  func markRecorded() {
    unlink(path + "/" + Self.startingFile)
  }

  /// Removes the run folders under `root` that a process on this host made and that it
  /// did not live to record (killed within its first moments).
  ///
  /// - Returns: The folders removed.
  @discardableResult
  static func removeOrphans(root: String) -> [String] {
    var removed: [String] = []
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() where name.hasPrefix("20")
    {
      let folder = root + "/" + name
      guard let text = try? String(contentsOfFile: folder + "/" + startingFile, encoding: .utf8) else { continue }
      let parts = text.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
      guard parts.count == 2, let pid = Int(parts[0]), parts[1] == ProcessLiveness.hostName, pid != Int(getpid()),
        !ProcessLiveness.isAlive(pid: pid), !FileManager.default.fileExists(atPath: folder + "/result.json")
      else { continue }
      if (try? FileManager.default.removeItem(atPath: folder)) != nil { removed.append(folder) }
    }
    return removed
  }

  func write(spec: PipelineSpec, plan: RunPlan) throws(RunError) {
    do {
      try Data(spec.resolved.prettyPrinted().utf8).write(to: URL(fileURLWithPath: path + "/pipeline.resolved.json"))
      try Data(plan.json.prettyPrinted().utf8).write(to: URL(fileURLWithPath: path + "/plan.json"))
    } catch {
      throw RunError(.cache, "cannot write into the run folder \(path)", cause: error)
    }
  }

  /// A new id: the UTC time and a random suffix (`20261129-031502-a3f9`); sweeps use the
  /// same style.
  static func makeID() -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMdd-HHmmss"
    return formatter.string(from: Date()) + "-" + String(format: "%04x", UInt16.random(in: 0...UInt16.max))
  }

  /// Creates a new folder `parent/<id>` with mkdir(2), which fails when the name exists:
  /// two runs started in the same second never share a folder (a taken id is drawn again).
  static func createUnique(in parent: String, what: String) throws(RunError) -> (id: String, path: String) {
    do {
      try FileDigest.createDirectory(parent)
    } catch {
      throw RunError(.cache, "cannot create the \(what) folder's parent \(parent)")
    }
    for _ in 0..<64 {
      let id = makeID()
      let path = parent + "/" + id
      if mkdir(path, 0o755) == 0 { return (id, path) }
      if errno != EEXIST { break }
    }
    throw RunError(.cache, "cannot create a \(what) folder under \(parent): \(String(cString: strerror(errno)))")
  }

  /// `origin.json` and `environment.json` (best effort: a run does not fail for them).
  func write(origin: RunOrigin, environment: RunEnvironment) {
    try? Data(origin.json.prettyPrinted().utf8).write(to: URL(fileURLWithPath: path + "/origin.json"))
    try? Data(environment.json.prettyPrinted().utf8).write(to: URL(fileURLWithPath: path + "/environment.json"))
  }

  func write(result: RunResult) {
    try? Data(result.json.prettyPrinted().utf8).write(to: URL(fileURLWithPath: path + "/result.json"))
  }

  /// Appends `line` and a newline to `run.log`.
  func appendLog(_ line: String) {
    guard let handle = FileHandle(forWritingAtPath: path + "/run.log") else { return }
    defer { try? handle.close() }
    _ = try? handle.seekToEnd()
    try? handle.write(contentsOf: Data((line + "\n").utf8))
  }

  /// `stages/<stage>` → the entry, as a relative link (`../../cache/ab/abcd...`).
  func link(stage: String, to entry: String) {
    let linkPath = path + "/stages/" + stage
    let rootPrefix = (path as NSString).deletingLastPathComponent + "/"
    let destination = entry.hasPrefix(rootPrefix) ? "../../" + entry.dropFirst(rootPrefix.count) : entry
    try? FileManager.default.createSymbolicLink(atPath: linkPath, withDestinationPath: String(destination))
  }
}
