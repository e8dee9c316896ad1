import Foundation
import SiamStore

/// The folder of one sweep, `runs/sweeps/<id>/sweep.json`: the pipeline, its axes and
/// every point with its overrides, run id and status; rewritten (atomically) after each
/// point, so that it tells how far a killed sweep got.
final class SweepFolder: Sendable {
  let id: String
  let path: String
  private let header: [String: CanonicalJSON]

  private init(id: String, path: String, header: [String: CanonicalJSON]) {
    self.id = id
    self.path = path
    self.header = header
  }

  /// A new folder under `root/sweeps` with `sweep.json` listing every point as pending.
  static func create(root: String, sweep: Sweep, plan: SweepPlan) throws(RunError) -> SweepFolder {
    let (id, path) = try RunFolder.createUnique(in: root + "/sweeps", what: "sweep")
    var header = sweep.json.objectValue!
    header["points"] = nil
    header["sweep_id"] = .string(id)
    header["created"] = .string(FileDigest.timestamp())
    header["pid"] = .number(Int(getpid()))
    header["host"] = .string(ProcessLiveness.hostName)
    header["plan"] = plan.json
    let folder = SweepFolder(id: id, path: path, header: header)
    let pending = sweep.points.map { SweepPointResult(point: $0, status: .pending) }
    do {
      try folder.write(points: pending, status: .running)
    } catch {
      throw RunError(.cache, "cannot write \(path)/sweep.json", cause: error)
    }
    return folder
  }

  /// Marks the sweep of `sweep.json` at `path` as killed: its status and every point still
  /// pending or running (best effort; called from a signal trap and by the repair).
  static func markKilled(_ path: String) {
    guard let data = FileManager.default.contents(atPath: path),
      var document = try? CanonicalJSON.parse(data).objectValue
    else { return }
    document["status"] = "killed"
    if let points = document["points"]?.arrayValue {
      document["points"] = .array(
        points.map { point in
          guard var members = point.objectValue, ["pending", "running"].contains(members["status"]?.stringValue ?? "")
          else { return point }
          members["status"] = "killed"
          return .object(members)
        })
    }
    try? FileDigest.writeAtomically(Data(CanonicalJSON.object(document).prettyPrinted().utf8), to: path)
  }

  /// Marks as killed the in-process sweeps under `root` that say `running` but whose
  /// process (on this host) is gone, as the run store repairs killed runs.
  ///
  /// - Returns: The sweep ids repaired.
  @discardableResult
  static func repairStale(root: String) -> [String] {
    let sweeps = root + "/sweeps"
    var repaired: [String] = []
    for name in ((try? FileManager.default.contentsOfDirectory(atPath: sweeps)) ?? []).sorted() {
      let path = "\(sweeps)/\(name)/sweep.json"
      guard !FileManager.default.fileExists(atPath: "\(sweeps)/\(name)/executor.json"),
        let data = FileManager.default.contents(atPath: path), let document = try? CanonicalJSON.parse(data),
        document["status"]?.stringValue == "running", document["host"]?.stringValue == ProcessLiveness.hostName,
        let pid = document["pid"]?.intValue, !ProcessLiveness.isAlive(pid: pid)
      else { continue }
      markKilled(path)
      repaired.append(name)
    }
    return repaired
  }

  /// Rewrites `sweep.json` (best effort after the first write).
  func update(points: [SweepPointResult], status: SweepResult.Status) {
    try? write(points: points, status: status)
  }

  private func write(points: [SweepPointResult], status: SweepResult.Status) throws {
    var document = header
    document["status"] = .string(status.rawValue)
    document["points"] = .array(points.map(\.json))
    try FileDigest.writeAtomically(Data(CanonicalJSON.object(document).prettyPrinted().utf8), to: path + "/sweep.json")
  }
}
