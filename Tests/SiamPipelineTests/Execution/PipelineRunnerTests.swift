import Foundation
import SiamNN
import SiamPipeline
import Testing

@Suite struct PipelineRunnerTests {
  @Test func secondRunIsAllCacheHits() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    #expect(first.succeeded, "\(first.stages)")
    #expect(first.stages(.completed) == ["data", "knn", "linear", "pixels", "pretrain"])
    #expect(first["knn"]!.metrics["knn_top1"] != nil)
    #expect(first["linear"]!.metrics["linear_top1"] != nil)
    #expect(first["pixels"]!.metrics.value(of: "knn_top1", with: ["k": 3]) != nil)
    #expect(first["pretrain"]!.metrics["final_loss"] != nil)
    let second = try fixture.run()
    #expect(second.stages(.cached) == ["data", "knn", "linear", "pixels", "pretrain"])
    #expect(second["pretrain"]!.metrics == first["pretrain"]!.metrics)
    #expect(second["knn"]!.metrics == first["knn"]!.metrics)
    #expect(fixture.entries().count == 5)
    let runFolder = second.directory
    for file in ["pipeline.resolved.json", "plan.json", "run.log", "result.json"] {
      #expect(FileManager.default.fileExists(atPath: runFolder + "/" + file), "\(file)")
    }
    #expect(FileManager.default.fileExists(atPath: runFolder + "/stages/pretrain/encoder.safetensors"))
  }

  @Test func observersHearPretrainingProgressEveryStepAndEpoch() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let observer = ProgressRecorder()
    let result = try fixture.runner().run(try fixture.spec(), observers: [observer])
    #expect(result.succeeded, "\(result.stages)")
    // Two epochs of 4 steps: eight step reports, each followed at an epoch's end by an epoch report.
    let events = observer.reports.filter { $0.stage == "pretrain" }.map(\.progress)
    #expect(events.map(\.event) == [.step, .step, .step, .step, .epoch, .step, .step, .step, .step, .epoch])
    #expect(events.filter { $0.event == .step }.map(\.stepsDone) == Array(1...8))
    #expect(events.last!.fraction == 1 && events.allSatisfy { $0.totalSteps == 8 && $0.loss?.isFinite == true })
    // The linear probe (two epochs) reports each epoch as one step.
    let linear = observer.reports.filter { $0.stage == "linear" }.map(\.progress)
    #expect(linear.map(\.fraction) == [0.5, 1] && linear.allSatisfy { $0.loss?.isFinite == true })
    #expect(Set(observer.reports.map(\.stage)) == ["pretrain", "linear"])
  }

  @Test func knnMonitorReportsDuringPretraining() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let result = try fixture.run(["+stages.pretrain.knn_every_epochs=1"])
    #expect(result.succeeded, "\(result.stages)")
    let monitor = try #require(result["pretrain"]!.metrics["monitor_knn_top1"])
    #expect(monitor >= 0 && monitor <= 1)
    // Without the key there is no monitor.
    let plain = RunFixture()
    defer { plain.remove() }
    #expect(try plain.run()["pretrain"]!.metrics["monitor_knn_top1"] == nil)
  }

  @Test func changingAnAugmentationRerunsPretrainingButNotTheDataset() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    try fixture.run()
    let override = "augmentations.view.1.horizontal_flip.p=0.25"
    let plan = try fixture.runner().plan(try fixture.spec([override]))
    #expect(plan["data"]!.reason == .cached)
    #expect(
      plan["pretrain"]!.reason == .parametersChanged(["views.0.1.horizontal_flip.p", "views.1.1.horizontal_flip.p"]))
    let second = try fixture.run([override])
    #expect(second.stages(.cached) == ["data", "pixels"])
    #expect(second.stages(.completed) == ["knn", "linear", "pretrain"])
  }

  @Test func forceAndNoCacheExecuteCachedStages() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let forced = try fixture.run { $0.force = ["data"] }
    #expect(forced.stages(.completed) == ["data"])
    let downstream = try fixture.runner {
      $0.force = ["data"]
      $0.forceDownstream = true
    }.plan(try fixture.spec())
    #expect(downstream["pretrain"]!.reason == .forced("--force-downstream"))
    let all = try fixture.run { $0.noCache = true }
    #expect(all.stages(.completed).count == 5)
    // Deterministic: the recomputed metrics equal the first run's.
    #expect(all["pretrain"]!.metrics["final_loss"] == first["pretrain"]!.metrics["final_loss"])
    #expect(fixture.entries().count == 5)
  }

  @Test func killedPretrainingLeavesNoEntryAndResumes() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    struct Killed: Error {}
    let killed = try fixture.run { options in
      options.hooks.afterPretrainEpoch = { _, epochs in if epochs == 1 { throw Killed() } }
    }
    #expect(!killed.succeeded)
    #expect(killed.stages(.completed) == ["data", "pixels"])
    #expect(killed.stages(.failed) == ["pretrain"])
    #expect(killed.stages(.skipped) == ["knn", "linear"])
    #expect(killed["knn"]!.error == "input 'pretrain' did not finish")
    #expect(fixture.entries().count == 2)
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: fixture.root + "/cache/tmp")) ?? []).isEmpty)
    let work = fixture.root + "/cache/work/" + killed["pretrain"]!.fingerprint + "/checkpoints"
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).contains("epoch-0001.safetensors"))
    let plan = try fixture.runner().plan(try fixture.spec())
    #expect(plan["data"]!.reason == .cached)
    #expect(plan["pretrain"]!.reason == .new)
    #expect(plan["pretrain"]!.isResumable)
    #expect(plan.tableRows.flatMap { $0 }.contains("new; resumes after epoch 1"))
    // A temporary folder of a process that no longer exists is cleaned up by the next run.
    let stale = fixture.root + "/cache/tmp/" + killed["pretrain"]!.fingerprint + "-99999999-1"
    try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
    let resumed = try fixture.run()
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(resumed.stages(.cached) == ["data", "pixels"])
    #expect(resumed.stages(.completed) == ["knn", "linear", "pretrain"])
    let log = try String(contentsOfFile: resumed.directory + "/run.log", encoding: .utf8)
    #expect(log.contains("resuming at epoch 2"), "\(log)")
    // Bit-identical to an uninterrupted run.
    let uninterrupted = try fixture.run { $0.noCache = true }
    #expect(uninterrupted["pretrain"]!.metrics["final_loss"] == resumed["pretrain"]!.metrics["final_loss"])
  }

  @Test func changingOnlyKRerunsOnlyTheKNNStage() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    try fixture.run()
    let plan = try fixture.runner().plan(try fixture.spec(["stages.knn.k=7"]))
    #expect(plan["knn"]!.reason == .parametersChanged(["k"]))
    #expect(plan.stagesToRun.map(\.name) == ["knn"])
    let second = try fixture.run(["stages.knn.k=7"])
    #expect(second.stages(.completed) == ["knn"])
    #expect(second.stages(.cached) == ["data", "linear", "pixels", "pretrain"])
  }

  @Test func keepGoingRunsIndependentStagesAfterAFailure() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    struct Killed: Error {}
    let stopped = try fixture.run { $0.hooks.afterPretrainEpoch = { _, _ in throw Killed() } }
    // Topological order: data, pixels?, pretrain, ...: without --keep-going everything
    // after the failure is skipped.
    #expect(stopped.stages(.failed) == ["pretrain"])
    let fresh = RunFixture()
    defer { fresh.remove() }
    let going = try fresh.run {
      $0.keepGoing = true
      $0.hooks.afterPretrainEpoch = { _, _ in throw Killed() }
    }
    #expect(going.stages(.completed) == ["data", "pixels"])
    #expect(going.stages(.skipped) == ["knn", "linear"])
  }

  @Test func corruptEntryIsMovedAsideAndRecomputed() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let entry = first["pretrain"]!.entryDirectory!
    let handle = try #require(FileHandle(forWritingAtPath: entry + "/encoder.safetensors"))
    try handle.seek(toOffset: 200)
    try handle.write(contentsOf: Data([0xFF, 0xEE]))
    try handle.close()
    let plan = try fixture.runner().plan(try fixture.spec())
    #expect(plan["pretrain"]!.reason == .corrupt("encoder.safetensors does not match its SHA-256"))
    let second = try fixture.run()
    #expect(second.stages(.completed) == ["pretrain"])
    let corrupt = try FileManager.default.contentsOfDirectory(atPath: fixture.root + "/cache/corrupt")
    #expect(corrupt.count == 1)
    #expect(try fixture.run().stages(.cached).count == 5)
  }

  @Test func aStageFailureNamesTheStageAndKeepsWhatFinished() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let yaml = RunFixture.yaml.replacingOccurrences(
      of: "data: {kind: dataset, source: synthetic, samples: 64, test_samples: 32, classes: 4, shape: [1, 12, 12]}",
      with: "data: {kind: dataset, source: mnist, path: \(fixture.root)/missing}")
    #expect(throws: RunError.self) { try fixture.runner().plan(try fixture.spec(yaml: yaml)) }
    let spec = try fixture.spec(yaml: yaml)
    do {
      _ = try fixture.runner().plan(spec)
    } catch {
      #expect(error.stage == "data")
      #expect(error.description.contains("stage 'data'"))
    }
  }
}

/// Keeps every progress report of a run.
final class ProgressRecorder: RunObserver {
  var reports: [(stage: String, progress: TrainingProgress)] = []

  func stageDidProgress(_ stage: String, progress: TrainingProgress) { reports.append((stage, progress)) }
}
