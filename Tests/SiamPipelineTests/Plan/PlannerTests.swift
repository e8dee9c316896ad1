import Foundation
import SiamPipeline
import Testing

@Suite struct PlannerTests {
  @Test func firstPlanIsAllNewAndFingerprintsChain() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let plan = try fixture.runner().plan(try fixture.spec())
    #expect(plan.stages.map(\.name) == ["data", "pixels", "pretrain", "knn", "linear"])
    #expect(plan.stages.allSatisfy { $0.reason == .new })
    #expect(plan.stages.allSatisfy { $0.fingerprint.count == 64 })
    #expect(plan["data"]!.dataContentHash != nil)
    // A changed seed changes every fingerprint; the same spec gives the same plan.
    let again = try fixture.runner().plan(try fixture.spec())
    #expect(again == plan)
    let reseeded = try fixture.runner().plan(try fixture.spec(["seed=4"]))
    #expect(zip(reseeded.stages, plan.stages).allSatisfy { $0.fingerprint != $1.fingerprint })
  }

  @Test func reasonsNameWhatChanged() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    try fixture.run()
    let plan = try fixture.runner().plan(try fixture.spec(["stages.data.samples=48"]))
    #expect(plan["data"]!.reason == .parametersChanged(["samples"]))
    #expect(plan["pretrain"]!.reason == .inputsChanged(["data"]))
    let epochs = try fixture.runner().plan(try fixture.spec(["stages.pretrain.epochs=3"]))
    #expect(epochs["data"]!.reason == .cached)
    #expect(epochs["pretrain"]!.reason == .parametersChanged(["epochs"]))
    #expect(epochs["pretrain"]!.reason.description == "parameters changed: epochs")
  }

  @Test func aRunnerHandedAnotherKindsStageThrowsInsteadOfTrapping() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let pretrain = try #require(try fixture.spec().stages["pretrain"])
    #expect(try pretrain.parameters(as: PretrainParameters.self).epochs > 0)
    do {
      _ = try pretrain.parameters(as: KNNParameters.self)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("stage 'pretrain' is of kind 'pretrain', not 'knn'"))
    }
    for kind in StageKindRegistry.standard.kinds.values { #expect(kind.runner.kind == kind.name) }
  }

  @Test func unknownForcedStageAndUnregisteredKindAreErrors() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    #expect(throws: RunError.self) { try fixture.runner { $0.force = ["pretrian"] }.plan(try fixture.spec()) }
    let runner = PipelineRunner(
      options: RunOptions(root: fixture.root),
      kinds: StageKindRegistry([DatasetStageRunner(), LinearProbeStageRunner(), KNNStageRunner()]))
    let spec = try fixture.spec()
    do {
      _ = try runner.plan(spec)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("stage kind 'pretrain' is not registered here"))
      #expect(error.stage == "pretrain")
    }
  }

  @Test func planJSONShape() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    try fixture.run()
    let plan = try fixture.runner { $0.force = ["pretrain"] }.plan(try fixture.spec())
    let json = plan.json
    #expect(json["pipeline"] == "tiny")
    #expect(json["engine_version"] == .string(Engine.version))
    let stages = try #require(json["stages"]?.arrayValue)
    #expect(stages.count == 5)
    #expect(
      Set(stages[2].objectValue!.keys) == [
        "name", "kind", "fingerprint", "reason", "reason_text", "details", "inputs", "cache_hit", "resumable",
        "resumes_after_epoch",
      ])
    #expect(stages[0]["cache_hit"] == true)
    #expect(stages[2]["name"] == "pretrain")
    #expect(stages[2]["reason"] == "forced")
    #expect(stages[2]["cache_hit"] == false)
    #expect(stages[2]["inputs"] == ["data"])
    #expect(stages[3]["reason"] == "cached")
    #expect(plan.tableRows.flatMap { $0 }.contains("forced (--force)"))
  }
}

@Suite struct PlannerRecordTests {
  /// Removes the cache entry of `stage` so that the planner has to explain it.
  static func removeEntry(_ fixture: RunFixture, _ result: RunResult, _ stage: String) throws {
    try FileManager.default.removeItem(atPath: result[stage]!.entryDirectory!)
  }

  @Test func missingEntryAndChangedImplementationAreExplained() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    try Self.removeEntry(fixture, first, "knn")
    var plan = try fixture.runner().plan(try fixture.spec())
    #expect(plan["knn"]!.reason == .notInCache)
    let recordPath = fixture.root + "/stages/tiny/knn.json"
    let text = try String(contentsOfFile: recordPath, encoding: .utf8)
    #expect(text.contains("\"implementation_version\" : 1"))
    try text.replacingOccurrences(of: "\"implementation_version\" : 1", with: "\"implementation_version\" : 0")
      .write(toFile: recordPath, atomically: true, encoding: .utf8)
    plan = try fixture.runner().plan(try fixture.spec())
    #expect(plan["knn"]!.reason == .implementationChanged)
    #expect(plan["linear"]!.reason == .cached)
  }
}
