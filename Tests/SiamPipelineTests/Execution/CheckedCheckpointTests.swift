import Foundation
import SiamPipeline
import SiamSSL
import Testing

/// Checkpoints are checked before a resume: a damaged one never blocks the pipeline and
/// never resumes silently into another result.
@Suite struct CheckedCheckpointTests {
  struct Killed: Error {}

  /// A 3-epoch pretraining killed after `epochs` epochs: returns the fixture, the
  /// checkpoint folder and the uninterrupted run's final loss (computed in another root).
  private func interrupted(after epochs: Int) throws -> (RunFixture, String, Double) {
    let reference = RunFixture()
    defer { reference.remove() }
    let full = try reference.run(["stages.pretrain.epochs=3"])
    let finalLoss = try #require(full["pretrain"]?.metrics["final_loss"])
    let fixture = RunFixture()
    let killed = try fixture.run(["stages.pretrain.epochs=3"]) { options in
      options.hooks.afterPretrainEpoch = { _, done in if done == epochs { throw Killed() } }
    }
    let work = fixture.root + "/cache/work/" + killed["pretrain"]!.fingerprint + "/checkpoints"
    return (fixture, work, finalLoss)
  }

  private func epochCount(_ result: RunResult) throws -> Int {
    let entry = try #require(result["pretrain"]?.entryDirectory)
    let data = try Data(contentsOf: URL(fileURLWithPath: entry + "/metrics.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    return (json["epochs"] as? [Any])?.count ?? -1
  }

  @Test func aTruncatedLatestCheckpointFallsBackToThePreviousOne() throws {
    let (fixture, work, finalLoss) = try interrupted(after: 2)
    defer { fixture.remove() }
    let latest = work + "/epoch-0002.safetensors"
    let data = try Data(contentsOf: URL(fileURLWithPath: latest))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: latest))

    let plan = try fixture.runner().plan(try fixture.spec(["stages.pretrain.epochs=3"]))
    #expect(plan["pretrain"]!.resumesAfterEpoch == 1, "the plan names the checkpoint that will be used")
    let resumed = try fixture.run(["stages.pretrain.epochs=3"])
    #expect(resumed.succeeded, "\(resumed.stages)")
    let log = try String(contentsOfFile: resumed.directory + "/run.log", encoding: .utf8)
    #expect(log.contains("warning:") && log.contains("falling back"), "\(log)")
    #expect(resumed["pretrain"]!.metrics["final_loss"] == finalLoss, "bit-identical to an uninterrupted run")
    #expect(try epochCount(resumed) == 3, "the per-epoch history is complete")
  }

  @Test func aFlippedBitIsCaughtByTheChecksum() throws {
    let (fixture, work, finalLoss) = try interrupted(after: 2)
    defer { fixture.remove() }
    let latest = work + "/epoch-0002.safetensors"
    var data = try Data(contentsOf: URL(fileURLWithPath: latest))
    data[data.count - 5] ^= 0x01  // inside the last tensor's bytes
    try data.write(to: URL(fileURLWithPath: latest))
    #expect(throws: SSLError.self) { try PretrainingCheckpoint.readVerified(from: latest) }
    let resumed = try fixture.run(["stages.pretrain.epochs=3"])
    #expect(resumed["pretrain"]!.metrics["final_loss"] == finalLoss)
    let log = try String(contentsOfFile: resumed.directory + "/run.log", encoding: .utf8)
    #expect(log.contains("does not match its checksum") && log.contains("moved to"), "\(log)")
  }

  @Test func everyCheckpointDamagedStartsOverAndThePlanSaysSo() throws {
    let (fixture, work, finalLoss) = try interrupted(after: 2)
    defer { fixture.remove() }
    for name in try FileManager.default.contentsOfDirectory(atPath: work) where name.hasSuffix(".safetensors") {
      try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: work + "/" + name))
    }
    let plan = try fixture.runner().plan(try fixture.spec(["stages.pretrain.epochs=3"]))
    #expect(plan["pretrain"]!.resumesAfterEpoch == nil && !plan["pretrain"]!.isResumable)
    #expect(
      plan.tableRows.flatMap { $0 }.contains { $0.contains("checkpoints are damaged: starts from the first epoch") })
    let resumed = try fixture.run(["stages.pretrain.epochs=3"])
    #expect(resumed.succeeded)
    #expect(resumed["pretrain"]!.metrics["final_loss"] == finalLoss)
    #expect(try epochCount(resumed) == 3)
  }

  @Test func aResumedRunKeepsTheCompleteHistory() throws {
    let (fixture, _, finalLoss) = try interrupted(after: 1)
    defer { fixture.remove() }
    let resumed = try fixture.run(["stages.pretrain.epochs=3"])
    #expect(resumed["pretrain"]!.metrics["final_loss"] == finalLoss)
    #expect(try epochCount(resumed) == 3)
  }
}
