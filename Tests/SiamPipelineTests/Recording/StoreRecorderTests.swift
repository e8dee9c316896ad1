import Foundation
import SiamPipeline
import SiamStore
import Testing

@Suite struct StoreRecorderTests {
  static let environment: @Sendable (RunEnvironment) -> RunEnvironment = {
    var environment = $0
    environment.cpu = "test cpu"
    environment.blasCoreType = "SkylakeX"
    return environment
  }

  /// Runs the tiny pipeline (with the kNN monitor) twice, recording both runs.
  @Test func recordsRunsStagesParamsMetricsAndArtifacts() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let store = try RunStore.open(path: fixture.root + "/siam.sqlite")
    let spec = try fixture.spec(["+stages.pretrain.knn_every_epochs=1"])
    let recorder = StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)
    let first = try fixture.runner().run(spec, observers: [recorder])
    #expect(first.succeeded)
    #expect(recorder.problems.isEmpty, "\(recorder.problems)")

    let run = try store.run(matching: first.id)
    #expect(run.status == .finished && run.pipeline == "tiny" && run.seed == 3)
    #expect(run.directory == first.directory && run.blasCoreType == "SkylakeX" && run.cpu == "test cpu")
    let resolved = try String(contentsOfFile: first.directory + "/pipeline.resolved.json", encoding: .utf8)
    let stored = try JSONSerialization.jsonObject(with: Data(run.configJSON.utf8)) as! NSDictionary
    #expect(stored == (try JSONSerialization.jsonObject(with: Data(resolved.utf8)) as! NSDictionary))

    let stages = try store.stages(run: run.id)
    #expect(stages.map(\.stage) == first.stages.map(\.name))
    #expect(stages.allSatisfy { $0.status == .completed && !$0.isCacheHit && $0.seconds != nil })
    #expect(stages.map(\.fingerprint) == first.stages.map(\.fingerprint))

    let params = Dictionary(uniqueKeysWithValues: try store.params(run: run.id).map { ($0.key, $0) })
    #expect(params["stages.pretrain.method.temperature"]?.numeric == 0.5)
    #expect(params["stages.pretrain.method.type"]?.value == "\"simclr\"")
    #expect(params["seed"]?.numeric == 3)

    let summaries = try store.summaries(run: run.id)
    func summary(_ stage: String, _ key: String, _ context: String = "{}") -> MetricSummaryRecord? {
      summaries.first { $0.stage == stage && $0.key == key && $0.context == context }
    }
    // Per epoch: 2 epochs of 4 steps.
    let loss = try #require(summary("pretrain", "loss"))
    #expect(loss.count == 2 && loss.firstStep == 4 && loss.lastStep == 8)
    #expect(summary("pretrain", "lr")?.count == 2)
    #expect(summary("pretrain", "embedding_std")?.count == 2)  // not repeated by the final metrics
    // Per logged step (every 50th and the last of each epoch): steps done 1, 4, 5, 8.
    let stepLoss = try #require(summary("pretrain", "loss", StoreRecorder.stepContext))
    #expect(stepLoss.count == 4 && stepLoss.firstStep == 1 && stepLoss.lastStep == 8, "\(stepLoss)")
    #expect(
      try store.metrics(run: run.id, stage: "pretrain", key: "lr").filter { $0.context == StoreRecorder.stepContext }
        .map { [$0.step, $0.epoch ?? -1] } == [[1, 0], [4, 0], [5, 1], [8, 1]])
    let monitorContext = #"{"protocol":"knn","split":"test","temperature":0.1}"#
    // 2 epochs (the final repeats the last).
    #expect(summary("pretrain", "monitor_knn_top1", monitorContext)?.count == 2)
    #expect(summary("pretrain", "final_loss")?.lastStep == 8)
    // Final metrics with contexts.
    let knn = #"{"k":5,"protocol":"knn","split":"test","temperature":0.1}"#
    #expect(summary("knn", "knn_top1", knn)?.last == first["knn"]!.metrics["knn_top1"])
    let pixels3 = #"{"k":3,"protocol":"knn","split":"test","temperature":0.1}"#
    #expect(
      summary("pixels", "knn_top1", pixels3)?.last == first["pixels"]!.metrics.value(of: "knn_top1", with: ["k": 3]))
    #expect(summaries.filter { $0.stage == "pixels" && $0.key == "knn_top1" }.count == 2)
    #expect(summary("linear", "linear_top1", #"{"protocol":"linear","split":"test"}"#) != nil)
    #expect(summary("linear", "linear_top1", #"{"protocol":"linear","split":"train"}"#) != nil)

    let artifacts = try store.artifacts(run: run.id)
    let encoder = try #require(artifacts.first { $0.stage == "pretrain" && $0.name == "encoder.safetensors" })
    let bytes = try Data(contentsOf: URL(fileURLWithPath: first.directory + "/" + encoder.path))
    #expect(bytes.count == encoder.bytes)
    #expect(!artifacts.contains { $0.name == "manifest.json" })

    // A second run: every stage a cache hit, the same metrics recorded again.
    let second = try fixture.runner().run(
      spec, observers: [StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)])
    let cached = try store.stages(run: second.id)
    #expect(cached.allSatisfy { $0.status == .cached && $0.isCacheHit && $0.reason == "cached" })
    // (Per-step series exist only where the stage ran.)
    let again = try store.summaries(run: second.id)
    let perEpochAndFinal = summaries.filter { $0.context != StoreRecorder.stepContext }
    #expect(again.map(\.key) == perEpochAndFinal.map(\.key))
    #expect(again.map(\.last) == perEpochAndFinal.map(\.last))
    #expect(try store.artifacts(run: second.id).map(\.sha256) == artifacts.map(\.sha256))
    #expect(try store.runs(pipeline: "tiny").count == 2)
  }

  @Test func failedStagesAndKilledRunsAreRecorded() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let store = try RunStore.open(path: fixture.root + "/siam.sqlite")
    let recorder = StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)
    let result = try fixture.runner { options in
      options.hooks = RunHooks(afterPretrainEpoch: { _, _ in throw RunError(.stageFailed, "simulated kill") })
    }.run(try fixture.spec(), observers: [recorder])
    #expect(!result.succeeded)
    let run = try store.run(matching: result.id)
    #expect(run.status == .failed)
    let stages = Dictionary(uniqueKeysWithValues: try store.stages(run: run.id).map { ($0.stage, $0) })
    #expect(stages["pretrain"]?.status == .failed)
    #expect(stages["pretrain"]?.error?.contains("simulated kill") == true)
    #expect(stages["knn"]?.status == .skipped)

    // A run that is being killed: its recorder marks it so.
    let killed = StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)
    let plan = try fixture.runner().plan(try fixture.spec())
    killed.runDidStart(
      id: "killed-run", directory: fixture.root + "/killed-run", spec: try fixture.spec(), plan: plan,
      environment: RunEnvironment.current(plan: plan))
    killed.markKilled()
    #expect(try store.run(matching: "killed-run").status == .killed)
    #expect(try store.stages(run: "killed-run").allSatisfy { $0.status == .killed })
  }

  @Test func storeFailuresAreReportedNotThrown() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let store = try RunStore.open(path: fixture.root + "/siam.sqlite")
    let spec = try fixture.spec()
    let plan = try fixture.runner().plan(spec)
    let recorder = StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)
    recorder.runDidStart(id: "twice", directory: "d", spec: spec, plan: plan, environment: .current(plan: plan))
    let duplicate = StoreRecorder(store: store, heartbeatInterval: 0, adjustEnvironment: Self.environment)
    duplicate.runDidStart(id: "twice", directory: "d", spec: spec, plan: plan, environment: .current(plan: plan))
    #expect(recorder.problems.isEmpty)
    #expect(duplicate.problems.count == 1)
    #expect(duplicate.problems[0].contains("twice"))
  }
}
