import Foundation
import SiamNN
import SiamTensor
import Testing

@testable import SiamPipeline

@Suite struct RerunnerTests {
  let fixture = RunFixture()

  /// Rewrites the JSON file at `path`.
  func edit(_ path: String, _ change: (inout [String: CanonicalJSON]) -> Void) throws {
    var json = try CanonicalJSON.parse(try Data(contentsOf: URL(fileURLWithPath: path))).objectValue!
    change(&json)
    try Data(CanonicalJSON.object(json).prettyPrinted().utf8).write(to: URL(fileURLWithPath: path))
  }

  @Test func resolvedPipelinesLoadBackToTheSameSpec() throws {
    for file in TestPaths.yamlFiles(in: TestPaths.pipelines) + [TestPaths.fixtures + "/good/composed.yaml"] {
      let spec = try PipelineLoader.load(path: file).spec
      let reloaded = try PipelineLoader.load(yaml: spec.resolved.prettyPrinted(), file: "resolved.json").spec
      #expect(reloaded.resolved == spec.resolved, "\(file)")
      #expect(reloaded.graph.order == spec.graph.order, "\(file)")
    }
  }

  @Test func aPlainRerunIsIdenticalAndLeavesTheSharedCacheAlone() throws {
    defer { fixture.remove() }
    let original = try fixture.run()
    let entriesBefore = fixture.entries()
    let manifestBefore = try Data(
      contentsOf: URL(fileURLWithPath: original["pretrain"]!.entryDirectory! + "/manifest.json"))
    let recorded = try RecordedRun.read(original.id, root: fixture.root)
    #expect(recorded.environment != nil)
    #expect(recorded.stages.map(\.name) == original.stages.map(\.name))
    #expect(recorded["knn"]!.metrics == original["knn"]!.metrics)
    #expect(recorded["pretrain"]!.artifacts == original["pretrain"]!.artifacts)

    let rerunner = Rerunner(root: fixture.root)
    let check = try rerunner.check(recorded)
    #expect(check.drift == [])
    #expect(check.plan.stages.allSatisfy { $0.reason == .forced("rerun") })
    let rerun = try rerunner.rerun(recorded)
    #expect(rerun.stages(.completed).count == 5)
    #expect(rerun.origin.rerunOf == original.id)
    #expect(rerun["pretrain"]!.entryDirectory!.hasPrefix(rerun.directory + "/cache/"))
    // The shared cache is untouched: same entries, same manifest.
    #expect(fixture.entries() == entriesBefore)
    #expect(
      try Data(contentsOf: URL(fileURLWithPath: original["pretrain"]!.entryDirectory! + "/manifest.json"))
        == manifestBefore)

    let verification = RunVerification.compare(old: recorded, new: rerun)
    #expect(verification.isIdentical, "\(verification.differences)")
    #expect(verification.comparedStages == 5)
    #expect(verification.comparedMetrics > 5)
    #expect(verification.comparedArtifacts >= 5)
    #expect(verification.notes.contains("pretrain: metrics.json differs only in timings"), "\(verification.notes)")
    let origin = try CanonicalJSON.parse(try Data(contentsOf: URL(fileURLWithPath: rerun.directory + "/origin.json")))
    #expect(origin["rerun_of"] == .string(original.id))
  }

  @Test func aTamperedMetricOrArtifactIsADifference() throws {
    defer { fixture.remove() }
    let original = try fixture.run(["stages.pretrain.epochs=1"])
    try edit(original.directory + "/result.json") { json in
      var stages = json["stages"]!.arrayValue!
      for i in stages.indices {
        var stage = stages[i].objectValue!
        if stage["name"] == "knn" {
          var metrics = stage["metrics"]!.arrayValue!
          let i = metrics.firstIndex { $0["key"] == "knn_top1" }!
          var metric = metrics[i].objectValue!
          metric["value"] = .number(Double(bitPattern: metric["value"]!.doubleValue!.bitPattern + 1))
          metrics[i] = .object(metric)
          stage["metrics"] = .array(metrics)
        }
        if stage["name"] == "linear" {
          var artifacts = stage["artifacts"]!.arrayValue!
          var first = artifacts[0].objectValue!
          first["sha256"] = .string(String(repeating: "0", count: 64))
          artifacts[0] = .object(first)
          stage["artifacts"] = .array(artifacts)
        }
        stages[i] = .object(stage)
      }
      json["stages"] = .array(stages)
    }
    let recorded = try RecordedRun.read(original.directory, root: fixture.root)
    let rerun = try Rerunner(root: fixture.root).rerun(recorded)
    let verification = RunVerification.compare(old: recorded, new: rerun)
    #expect(!verification.isIdentical)
    #expect(
      verification.differences.map { "\($0.stage) \($0.kind.rawValue) \($0.item)" } == [
        "knn metric knn_top1", "linear artifact metrics.json",
      ])
    let metric = verification.differences[0]
    #expect(metric.old != metric.new)
    #expect(metric.description.hasPrefix("knn: metric knn_top1: old "))
    #expect(verification.differences[1].old == "sha256 000000000000")
  }

  /// Rewrites the recorded run's pretrain encoder with `tensors` and `metadata`, recording
  /// its new hash and another fingerprint (as another engine version would have).
  func rewriteRecordedEncoder(
    _ run: RunResult, _ tensors: [String: Tensor], _ metadata: [String: String]
  ) throws -> RecordedRun {
    let path = run.directory + "/stages/pretrain/encoder.safetensors"
    try SafeTensors.write(tensors, metadata: metadata, to: path)
    let digest = try FileDigest.digest(of: path).sha256
    try edit(run.directory + "/result.json") { json in
      var stages = json["stages"]!.arrayValue!
      for i in stages.indices where stages[i]["name"] == "pretrain" {
        var stage = stages[i].objectValue!
        stage["fingerprint"] = .string(String(repeating: "a", count: 64))
        var artifacts = stage["artifacts"]!.arrayValue!
        for j in artifacts.indices where artifacts[j]["path"] == "encoder.safetensors" {
          var artifact = artifacts[j].objectValue!
          artifact["sha256"] = .string(digest)
          artifacts[j] = .object(artifact)
        }
        stage["artifacts"] = .array(artifacts)
        stages[i] = .object(stage)
      }
      json["stages"] = .array(stages)
    }
    return try RecordedRun.read(run.directory, root: fixture.root)
  }

  @Test func weightsThatDifferOnlyInTheirRecordedFingerprintAreIdentical() throws {
    defer { fixture.remove() }
    let original = try fixture.run(["stages.pretrain.epochs=1"])
    let (tensors, metadata) = try SafeTensors.read(from: original.directory + "/stages/pretrain/encoder.safetensors")
    #expect(metadata["fingerprint"] == original["pretrain"]!.fingerprint)
    var older = metadata
    older["fingerprint"] = String(repeating: "a", count: 64)
    let recorded = try rewriteRecordedEncoder(original, tensors, older)
    let rerun = try Rerunner(root: fixture.root).rerun(recorded)
    let verification = RunVerification.compare(old: recorded, new: rerun)
    #expect(verification.isIdentical, "\(verification.differences)")
    #expect(
      verification.notes.contains(
        "pretrain: encoder.safetensors differs only in the fingerprint it records; its tensors are identical"),
      "\(verification.notes)")

    // One weight one ulp away, or other metadata, is still a difference.
    var changed = tensors
    let key = tensors.keys.sorted()[0]
    var scalars = tensors[key]!.scalars
    scalars[0] = scalars[0].nextUp
    changed[key] = Tensor(shape: tensors[key]!.shape, scalars: scalars)
    var relabelled = older
    relabelled["stage"] = "other"
    for (weights, labels) in [(changed, older), (tensors, relabelled)] {
      let tampered = try rewriteRecordedEncoder(original, weights, labels)
      let differences = RunVerification.compare(old: tampered, new: rerun).differences
      #expect(
        differences.map { "\($0.stage) \($0.kind.rawValue) \($0.item)" } == ["pretrain artifact encoder.safetensors"])
    }
  }

  @Test func metricsCompareBitForBitWithNaNEqualToNaN() throws {
    defer { fixture.remove() }
    let original = try fixture.run(["stages.pretrain.epochs=1"])
    var recorded = try RecordedRun.read(original.id, root: fixture.root)
    var rerun = original
    for i in rerun.stages.indices where rerun.stages[i].name == "knn" { rerun.stages[i].metrics.add("extra", .nan) }
    for i in recorded.stages.indices where recorded.stages[i].name == "knn" {
      recorded.stages[i].metrics.add("extra", .nan)
    }
    #expect(RunVerification.compare(old: recorded, new: rerun).isIdentical)
    for i in rerun.stages.indices where rerun.stages[i].name == "knn" { rerun.stages[i].metrics.add("extra", -0.0) }
    for i in recorded.stages.indices where recorded.stages[i].name == "knn" {
      recorded.stages[i].metrics.add("extra", 0.0)
    }
    let differences = RunVerification.compare(old: recorded, new: rerun).differences
    #expect(differences.map(\.description) == ["knn: metric extra: old 0.0, new -0.0"])
  }

  @Test func metricValuesRoundTripThroughTheRunFolderExactly() throws {
    let values: [Double] = [
      0.1 + 0.2, 1e-300, .leastNonzeroMagnitude, 0.7071067811865476, 123456789.123456789, -2.5e17, .nan, .infinity,
      -.infinity,
    ]
    let json: CanonicalJSON = .object(
      Dictionary(uniqueKeysWithValues: values.enumerated().map { ("m\($0.offset)", CanonicalJSON.metric($0.element)) }))
    let parsed = try CanonicalJSON.parse(Data(json.prettyPrinted().utf8))
    for (i, value) in values.enumerated() {
      let back = try #require(parsed["m\(i)"]?.metricValue)
      #expect(back.bitPattern == value.bitPattern || (back.isNaN && value.isNaN), "\(value)")
    }
  }

  @Test func environmentDriftIsReported() throws {
    defer { fixture.remove() }
    let original = try fixture.run(["stages.pretrain.epochs=1"])
    try edit(original.directory + "/environment.json") { json in
      json["blas_core_type"] = "Prescott"
      json["engine_threads"] = 7
      json["engine_version"] = "0.0.9"
      json["datasets"] = ["data": "0123456789abcdef"]
    }
    let recorded = try RecordedRun.read(original.id, root: fixture.root)
    let drift = try Rerunner(root: fixture.root).check(recorded).drift
    let now = RunEnvironment.current(plan: original.plan)
    #expect(drift.contains("engine version: recorded 0.0.9, now \(Engine.version)"))
    #expect(drift.contains { $0.hasPrefix("BLAS core type: recorded Prescott, now ") })
    #expect(drift.contains("engine threads: recorded 7, now \(now.engineThreads)") == (now.engineThreads != 7))
    #expect(drift.contains { $0.hasPrefix("data of stage 'data': recorded 0123456789ab, now ") })
  }

  @Test func runsWithoutAnEnvironmentFileCanBeRerun() throws {
    defer { fixture.remove() }
    let original = try fixture.run(["stages.pretrain.epochs=1"])
    // A run folder from before this change: no environment.json, no origin.json, no artifact lists.
    try FileManager.default.removeItem(atPath: original.directory + "/environment.json")
    try FileManager.default.removeItem(atPath: original.directory + "/origin.json")
    try edit(original.directory + "/result.json") { json in
      json["stages"] = .array(
        json["stages"]!.arrayValue!.map { stage in
          var members = stage.objectValue!
          members["artifacts"] = nil
          return .object(members)
        })
    }
    let recorded = try RecordedRun.read(original.id, root: fixture.root)
    #expect(recorded.environment == nil)
    #expect(recorded["pretrain"]!.artifacts == original["pretrain"]!.artifacts)  // from the cache entry
    let rerunner = Rerunner(root: fixture.root)
    #expect(try rerunner.check(recorded).drift.first?.hasPrefix("no recorded environment") == true)
    let verification = RunVerification.compare(old: recorded, new: try rerunner.rerun(recorded))
    #expect(verification.isIdentical, "\(verification.differences)")
  }

  @Test func unknownRunsAndBrokenFoldersAreClearErrors() throws {
    defer { fixture.remove() }
    #expect(throws: RunError.self) { try RecordedRun.read("nope", root: fixture.root) }
    do {
      _ = try RecordedRun.read("nope", root: fixture.root)
    } catch {
      #expect(error.description.hasPrefix("no run 'nope' under \(fixture.root)"))
    }
    let folder = fixture.root + "/20260101-000000-0000"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    do {
      _ = try RecordedRun.read("20260101-000000-0000", root: fixture.root)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.contains("pipeline.resolved.json is missing"))
    }
    try Data("{\"name\": \"x\", \"stages\": {\"a\": {\"kind\": \"nope\"}}}".utf8).write(
      to: URL(fileURLWithPath: folder + "/pipeline.resolved.json"))
    do {
      _ = try RecordedRun.read("20260101-000000-0000", root: fixture.root)
      Issue.record("expected an error")
    } catch {
      #expect(error.description.hasPrefix("the recorded pipeline no longer validates:\n"))
    }
  }
}
