import Foundation

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
