import Foundation
import Testing

@testable import SiamPipeline

@Suite struct SweepRunnerTests {
  let fixture = RunFixture()

  func runner(
    _ log: ExecutionLog, failFast: Bool = false, fails: @escaping @Sendable (StageSpec) -> Bool = { _ in false },
    _ configure: (inout RunOptions) -> Void = { _ in }
  ) -> SweepRunner {
    var options = RunOptions(root: fixture.root)
    configure(&options)
    return SweepRunner(
      options: options, kinds: countingRegistry(log: log, fails: fails), failFast: failFast)
  }

  static func knnK(_ stage: StageSpec) -> Int? { (stage.parameters as? KNNParameters)?.k.first }

  @Test func sharedStagesExecuteOnceAndARerunIsAllCacheHits() throws {
    defer { fixture.remove() }
    let sweep = try Sweep.expand(yaml: SweepFixture.yaml)  // 2 k × 2 seeds
    let log = ExecutionLog()
    let plan = try runner(log).plan(sweep)
    // The seed enters every fingerprint: two dataset stages, four knn stages.
    #expect(plan.totalStages == 8)
    #expect(plan.distinctStages == 6)
    #expect(plan.distinctToRun == 6)
    #expect(
      plan.stageCounts.map { [$0.name, String($0.points), String($0.distinct)] } == [
        ["data", "4", "2"], ["knn", "4", "4"],
      ])
    let result = try runner(log).run(sweep)
    #expect(result.succeeded)
    #expect(log.count == plan.distinctToRun)
    #expect(Set(log.fingerprints).count == log.count)
    #expect(result.executedStages == 6)
    #expect(result.points.map { $0.run!.stages.filter(\.isCacheHit).map(\.name) } == [[], [], ["data"], ["data"]])

    let again = ExecutionLog()
    #expect(try runner(again).plan(sweep).distinctToRun == 0)
    let second = try runner(again).run(sweep)
    #expect(second.succeeded)
    #expect(again.count == 0)
    #expect(second.points.allSatisfy { $0.run!.stages.allSatisfy(\.isCacheHit) })
    #expect(second.points.map { $0.metrics["knn"] } == result.points.map { $0.metrics["knn"] })
    #expect(second.id != result.id)
  }

  @Test func onlyEvaluationParametersVaryingSharesOnePretraining() throws {
    defer { fixture.remove() }
    let sweep = try Sweep.expand(yaml: RunFixture.yaml, arguments: ["stages.knn.k=3,5"])
    let log = ExecutionLog()
    let plan = try runner(log).plan(sweep)
    #expect(plan.totalStages == 10)
    #expect(plan.distinctStages == 6)
    let result = try runner(log).run(sweep)
    #expect(result.succeeded, "\(result.points.map(\.error))")
    #expect(log.count("pretrain") == 1)
    #expect(log.count("dataset") == 1)
    #expect(log.count("knn") == 3)  // two k values and the raw-pixel baseline
    #expect(log.count == plan.distinctToRun)
  }

  @Test func extendingTheGridRunsOnlyTheNewStages() throws {
    defer { fixture.remove() }
    let log = ExecutionLog()
    _ = try runner(log).run(try Sweep.expand(yaml: SweepFixture.yaml(sweep: ""), arguments: ["stages.knn.k=3,5"]))
    #expect(log.count == 3)
    let extended = ExecutionLog()
    let result = try runner(extended).run(
      try Sweep.expand(yaml: SweepFixture.yaml(sweep: ""), arguments: ["stages.knn.k=3,5,7"]))
    #expect(result.succeeded)
    #expect(extended.count == 1)
    #expect(result.points.map(\.executedStages) == [0, 0, 1])
  }

  @Test func aFailedPointDoesNotStopTheOthersUnlessFailFast() throws {
    defer { fixture.remove() }
    let sweep = try Sweep.expand(yaml: SweepFixture.yaml(sweep: ""), arguments: ["stages.knn.k=3,5,7"])
    let fails: @Sendable (StageSpec) -> Bool = { Self.knnK($0) == 5 }
    let result = try runner(ExecutionLog(), fails: fails).run(sweep)
    #expect(result.status == .failed)
    #expect(result.points.map(\.status) == [.finished, .failed, .finished])
    #expect(result.points[1].error == "stage 'knn' failed: injected failure")

    let fresh = RunFixture()
    defer { fresh.remove() }
    var options = RunOptions(root: fresh.root)
    options.keepGoing = false
    let stopped = try SweepRunner(
      options: options, kinds: countingRegistry(log: ExecutionLog(), fails: fails),
      failFast: true
    ).run(sweep)
    #expect(stopped.status == .stopped)
    #expect(stopped.points.map(\.status) == [.finished, .failed, .skipped])
    #expect(stopped.points[2].run == nil)
    // sweep.json tells the same.
    let json = try CanonicalJSON.parse(try Data(contentsOf: URL(fileURLWithPath: stopped.directory + "/sweep.json")))
    #expect(json["status"] == "stopped")
    #expect(json["points"]?.arrayValue?.map { $0["status"]!.stringValue! } == ["finished", "failed", "skipped"])
  }

  @Test func sweepFolderAndRunOriginsRecordThePoints() throws {
    defer { fixture.remove() }
    final class Tagger: SweepObserver, @unchecked Sendable {
      var started: String?
      var tagged: [(String, Int, [String])] = []
      var finished = 0
      func sweepDidStart(id: String, directory: String, sweep: Sweep, plan: SweepPlan) { started = id }
      func runObservers(for point: SweepPoint, sweepID: String) -> [any RunObserver] {
        tagged.append((sweepID, point.index, point.overrides))
        return []
      }
      func pointDidFinish(_ result: SweepPointResult) { finished += 1 }
    }
    let tagger = Tagger()
    let sweep = try Sweep.expand(yaml: SweepFixture.yaml(sweep: ""), arguments: ["stages.knn.k=3,5"])
    let result = try runner(ExecutionLog()).run(sweep, observer: tagger)
    #expect(tagger.started == result.id)
    #expect(tagger.tagged.map(\.1) == [0, 1])
    #expect(tagger.tagged.allSatisfy { $0.0 == result.id })
    #expect(tagger.finished == 2)
    #expect(result.directory == fixture.root + "/sweeps/" + result.id)
    let json = try CanonicalJSON.parse(try Data(contentsOf: URL(fileURLWithPath: result.directory + "/sweep.json")))
    #expect(json["sweep_id"] == .string(result.id))
    #expect(json["pipeline"] == "tinysweep")
    #expect(json["status"] == "finished")
    #expect(json["axes"]?.arrayValue?.first?["path"] == "stages.knn.k")
    let points = try #require(json["points"]?.arrayValue)
    #expect(points.map { $0["overrides"]! } == [["stages.knn.k=3"], ["stages.knn.k=5"]])
    #expect(points.map { $0["run_id"]!.stringValue! } == result.points.map { $0.run!.id })
    for point in result.points {
      let origin = RunOrigin(
        json: try CanonicalJSON.parse(try Data(contentsOf: URL(fileURLWithPath: point.run!.directory + "/origin.json")))
      )
      #expect(origin == RunOrigin(sweepID: result.id, sweepPoint: point.index, sweepOverrides: point.overrides))
      #expect(point.run!.origin == origin)
    }
  }

  @Test func noCacheRecomputesEachDistinctStageOnce() throws {
    defer { fixture.remove() }
    let sweep = try Sweep.expand(yaml: SweepFixture.yaml(sweep: ""), arguments: ["stages.knn.k=3,5"])
    _ = try runner(ExecutionLog()).run(sweep)
    let log = ExecutionLog()
    let result = try runner(log, fails: { _ in false }) { $0.noCache = true }.run(sweep)
    #expect(result.succeeded)
    #expect(log.count == 3)
    let forced = ExecutionLog()
    _ = try runner(forced, fails: { _ in false }) { $0.force = ["data"] }.run(sweep)
    #expect(forced.count == 1)
  }
}
