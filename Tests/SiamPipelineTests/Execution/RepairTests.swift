import Foundation
import SiamPipeline
import SiamStore
import Testing

/// What killed processes leave behind is repaired or cleaned by the next run.
@Suite struct RepairTests {
  private func makeRunFolder(_ root: String, _ name: String, pid: Int, result: Bool) throws -> String {
    let folder = root + "/" + name
    try FileManager.default.createDirectory(atPath: folder + "/stages", withIntermediateDirectories: true)
    try "\(pid) \(ProcessLiveness.hostName)\n".write(
      toFile: folder + "/starting.pid", atomically: true, encoding: .utf8)
    if result { try "{}".write(toFile: folder + "/result.json", atomically: true, encoding: .utf8) }
    return folder
  }

  @Test func aRunFolderWhoseProcessDiedBeforeRecordingIsRemoved() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let orphan = try makeRunFolder(fixture.root, "20260101-000000-dead", pid: 99_999_999, result: false)
    let alive = try makeRunFolder(fixture.root, "20260101-000000-live", pid: 1, result: false)
    let finished = try makeRunFolder(fixture.root, "20260101-000000-done", pid: 99_999_999, result: true)
    let result = try fixture.run()
    #expect(result.succeeded)
    #expect(!FileManager.default.fileExists(atPath: orphan), "an orphan run folder is removed")
    #expect(FileManager.default.fileExists(atPath: alive), "a live process's folder stays")
    #expect(FileManager.default.fileExists(atPath: finished), "a folder with a result stays")
    #expect(!FileManager.default.fileExists(atPath: result.directory + "/starting.pid"), "a recorded run is no orphan")
  }

  @Test func aSweepWhoseProcessDiedIsMarkedKilled() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let folder = fixture.root + "/sweeps/20260101-000000-dead"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let document: CanonicalJSON = [
      "sweep_id": "20260101-000000-dead", "status": "running", "pid": .number(99_999_999),
      "host": .string(ProcessLiveness.hostName),
      "points": [["index": 0, "status": "finished"], ["index": 1, "status": "pending"]],
    ]
    try document.prettyPrinted().write(toFile: folder + "/sweep.json", atomically: true, encoding: .utf8)
    let sweep = try Sweep.expand(yaml: RunFixture.yaml, arguments: ["stages.knn.k=3,5"])
    _ = try SweepRunner(options: RunOptions(root: fixture.root)).run(sweep)
    let repaired = try CanonicalJSON.parse(Data(contentsOf: URL(fileURLWithPath: folder + "/sweep.json")))
    #expect(repaired["status"] == "killed")
    #expect(repaired["points"]?.arrayValue?.map { $0["status"] } == ["finished", "killed"])
  }
}
