import Foundation
import SiamSSL

/// Makes the plan of a pipeline: fingerprints in topological order, each chained from its
/// inputs' fingerprints (and, for dataset stages, the data's content hash), and a reason
/// per stage from the cache and the last run's records.
public struct Planner: Sendable {
  public var options: RunOptions
  public var kinds: StageKindRegistry

  public init(options: RunOptions, kinds: StageKindRegistry = .standard) {
    self.options = options
    self.kinds = kinds
  }

  /// The plan of `spec`.
  ///
  /// - Complexity: Hashes each dataset stage's data once (cached in `cache/datasets`) and
  ///   verifies each existing cache entry (reads its files).
  /// - Throws: `RunError.planning` for a kind without a runner, a `--force` naming no
  ///   stage, or data that cannot be read.
  public func plan(_ spec: PipelineSpec) throws(RunError) -> RunPlan {
    for stage in spec.orderedStages { _ = try kinds.runner(of: stage) }
    try MemoryEstimate.check(spec)
    try Self.checkNeighbours(spec)
    for name in options.force.sorted() where spec.stages[name] == nil {
      let known = spec.graph.order.joined(separator: ", ")
      throw RunError(.planning, "--force \(name): no stage of that name (stages: \(known))")
    }
    let cache = options.cache
    var fingerprints: [String: String] = [:]
    var forced: Set<String> = []
    var stages: [StagePlan] = []
    for stage in spec.orderedStages {
      let runner = try kinds.runner(of: stage)
      let data: String?
      do {
        data = try runner.dataContentHash(of: stage, cacheDirectory: cache.datasetHashDirectory)
      } catch {
        throw RunError(.planning, stage: stage.name, "cannot read the data to hash it", cause: error)
      }
      let inputs = stage.needs.sorted()
      let inputFingerprints = Dictionary(uniqueKeysWithValues: inputs.map { ($0, fingerprints[$0]!) })
      let fingerprint = stage.fingerprint(
        seed: spec.seed, inputFingerprints: inputs.map { inputFingerprints[$0]! }, dataContentHash: data,
        engineVersion: Engine.version)
      fingerprints[stage.name] = fingerprint
      let record = StageRecord(stage: stage, fingerprint: fingerprint, inputs: inputFingerprints, data: data)
      if options.force.contains(stage.name)
        || (options.forceDownstream && inputs.contains(where: forced.contains))
      {
        forced.insert(stage.name)
      }
      let reason: PlanReason
      if options.noCache || options.isolatesCache {
        reason = .forced(options.isolatesCache ? "rerun" : "--no-cache")
      } else if forced.contains(stage.name) {
        reason = .forced(options.force.contains(stage.name) ? "--force" : "--force-downstream")
      } else {
        switch cache.lookup(fingerprint) {
        case .hit: reason = .cached
        case .corrupt(let why): reason = .corrupt(why)
        case .miss:
          reason = Self.explain(
            record, previous: StageRecord.read(root: options.root, pipeline: spec.name, stage: stage.name))
        }
      }
      var stagePlan = StagePlan(
        name: stage.name, kind: stage.kind, fingerprint: fingerprint, reason: reason, inputs: inputs,
        dataContentHash: data, record: record)
      if reason.runs && !options.isolatesCache && cache.hasWork(fingerprint) {
        // Tell the truth: only a checkpoint that reads and matches its checksum resumes.
        let sound = PretrainingCheckpoint.newestSound(in: cache.workDirectory(fingerprint) + "/checkpoints")
        stagePlan.isResumable = sound != nil
        stagePlan.resumesAfterEpoch = sound?.epochsCompleted
        stagePlan.hasOnlyDamagedCheckpoints = sound == nil
      }
      stages.append(stagePlan)
    }
    return RunPlan(pipeline: spec.name, stages: stages)
  }

  /// Why a stage without a cache entry runs, from the last record of the same name.
  static func explain(_ record: StageRecord, previous: StageRecord?) -> PlanReason {
    guard let previous, previous.kind == record.kind else { return .new }
    if previous.implementationVersion != record.implementationVersion || previous.engineVersion != record.engineVersion
    {
      return .implementationChanged
    }
    let keys = previous.changedParameters(record)
    if !keys.isEmpty { return .parametersChanged(keys) }
    let inputs = Set(previous.inputs.keys).union(record.inputs.keys)
      .filter { previous.inputs[$0] != record.inputs[$0] }.sorted()
    if !inputs.isEmpty { return .inputsChanged(inputs) }
    if previous.data != record.data { return .dataChanged }
    return .notInCache
  }

  /// Refuses a `knn` stage whose `k` exceeds the training images, when the plan knows
  /// their number (a known dataset, or a synthetic one, with its `limit`).
  ///
  /// - Throws: `RunError.planning` naming the stage, the `k` and the count.
  static func checkNeighbours(_ spec: PipelineSpec) throws(RunError) {
    for stage in spec.orderedStages {
      guard let p = stage.parameters as? KNNParameters,
        let data = spec.datasetStage(upstreamOf: stage.name)?.parameters as? DatasetParameters,
        let geometry = MemoryEstimate.geometry(data), let k = p.k.max(), k > geometry.train
      else { continue }
      throw RunError(
        .planning, stage: stage.name,
        "k = \(k) neighbours, but the training split has \(geometry.train) images; use a k of at most \(geometry.train)"
      )
    }
  }
}
