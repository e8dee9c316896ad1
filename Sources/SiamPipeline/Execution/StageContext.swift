import Foundation
import SiamData
import SiamEval
import SiamNN

/// What a running stage sees: where to write, where its inputs' artifacts are, the
/// pipeline, and the in-process memory of loaded datasets.
///
/// Not `Sendable`: one stage runs on one thread.
public final class StageContext {
  /// The stage's fingerprint.
  public let fingerprint: String
  /// The temporary folder the stage writes its artifacts into (renamed into the cache
  /// when the stage finishes).
  public let outputDirectory: String
  /// A stable folder for state that must survive a killed run (pretraining checkpoints):
  /// `cache/work/<fingerprint>/`, removed once the entry is committed.
  public let workDirectory: String
  /// The pipeline being run.
  public let spec: PipelineSpec
  /// Hooks for tests.
  public let hooks: RunHooks
  /// Progress lines (stderr and run.log).
  public let log: (String) -> Void
  let session: RunSession

  init(
    fingerprint: String, outputDirectory: String, workDirectory: String, spec: PipelineSpec, hooks: RunHooks,
    session: RunSession, log: @escaping (String) -> Void
  ) {
    self.fingerprint = fingerprint
    self.outputDirectory = outputDirectory
    self.workDirectory = workDirectory
    self.spec = spec
    self.hooks = hooks
    self.session = session
    self.log = log
  }

  /// The cache entry folder of the input stage `name` (committed before this stage runs).
  public func inputDirectory(_ name: String) -> String {
    session.cache.entryDirectory(session.plan[name]!.fingerprint)
  }

  /// The train and test splits of the dataset stage `name` is (or descends from, through
  /// the first input at each step).
  ///
  /// Loaded once per process and per dataset fingerprint; reloading gives the same data
  /// (loading is deterministic), so a cached dataset stage costs only the reload.
  public func dataset(upstreamOf name: String) throws -> LoadedDataset {
    guard let current = spec.datasetStage(upstreamOf: name) else {
      throw RunError(.stageFailed, stage: name, "no dataset stage upstream")
    }
    let fingerprint = session.plan[current.name]!.fingerprint
    if let loaded = session.datasets[fingerprint] { return loaded }
    let loaded = try DatasetStageRunner.load(current.parameters(as: DatasetParameters.self))
    session.datasets[fingerprint] = loaded
    return loaded
  }

  /// Hands per-step measurements of stage `name` to the run's observers (the run store).
  public func record(stage name: String, step: Int, epoch: Int, metrics: [String: Double]) {
    session.recordStep?(name, step, epoch, metrics)
  }

  /// Tells the run's observers where stage `name` stands (progress displays only).
  public func report(stage name: String, progress: TrainingProgress) {
    session.reportProgress?(name, progress)
  }

  /// A handler that reports an evaluation's training progress as stage `name`'s (the
  /// display estimates the time left from the time since the stage started).
  public func progressReporter(stage name: String) -> (TrainingProgress) -> Void {
    { [self] progress in report(stage: name, progress: progress) }
  }

  /// Writes `value` as pretty JSON to `name` in the output folder.
  public func writeJSON(_ value: CanonicalJSON, to name: String) throws {
    try Data(value.prettyPrinted().utf8).write(to: URL(fileURLWithPath: outputDirectory + "/" + name))
  }
}

/// The two splits of a dataset stage, in memory.
public struct LoadedDataset: Sendable {
  public var train: Dataset
  public var test: Dataset
}

/// State shared by the stages of one run in one process.
final class RunSession {
  let plan: RunPlan
  let cache: ArtifactCache
  var datasets: [String: LoadedDataset] = [:]
  /// Frozen features by the fingerprint of the stage that produced the representation.
  var features: [String: (train: FeatureSet, test: FeatureSet)] = [:]
  /// Forwards `StageContext.record` to the observers: stage, step, epoch, metrics.
  var recordStep: ((String, Int, Int, [String: Double]) -> Void)?
  /// Forwards `StageContext.report(stage:progress:)` to the observers.
  var reportProgress: ((String, TrainingProgress) -> Void)?

  init(plan: RunPlan, cache: ArtifactCache) {
    self.plan = plan
    self.cache = cache
  }
}
