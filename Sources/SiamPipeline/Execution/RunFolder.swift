import Foundation

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
    return RunFolder(id: id, path: path)
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
