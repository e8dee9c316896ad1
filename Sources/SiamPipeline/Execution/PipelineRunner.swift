import Foundation

/// Plans and executes a pipeline: the library entry point of `siam plan` and `siam run`.
///
/// Flow: plan everything first (a kind without a runner or unreadable data fails before
/// any stage runs), create `runs/<id>/` with `pipeline.resolved.json` and `plan.json`,
/// then execute the stages in topological order. A cached stage is not run: its recorded
/// metrics are reused. Another stage writes into `cache/tmp/...`, which is renamed into
/// the cache only when the stage finished. A failed stage is reported with its error;
/// stages needing it are skipped, and without `keepGoing` so is everything after it.
public struct PipelineRunner: Sendable {
  public var options: RunOptions
  public var kinds: StageKindRegistry

  public init(options: RunOptions = RunOptions(), kinds: StageKindRegistry = .standard) {
    self.options = options
    self.kinds = kinds
  }

  /// The plan of `spec` under the current cache state (runs nothing, writes nothing but
  /// dataset hashes).
  public func plan(_ spec: PipelineSpec) throws(RunError) -> RunPlan {
    try Planner(options: options, kinds: kinds).plan(spec)
  }

  /// Plans and runs `spec`.
  ///
  /// - Returns: Every stage's result; check `succeeded`. Stage failures are results, not
  ///   thrown errors, so that what finished is reported and kept.
  /// - Throws: `RunError` when planning fails or the run folder cannot be created.
  public func run(_ spec: PipelineSpec, observers: [any RunObserver] = []) throws(RunError) -> RunResult {
    let plan = try plan(spec)
    // Hold the entries the plan reuses until the run ends, so that `siam cache gc` leaves
    // them alone; one removed since planning is a miss below and simply recomputed.
    let lease = CacheLease()
    defer { lease.release() }
    if !options.isolatesCache {
      for stage in plan.stages where stage.isCacheHit { lease.hold(options.cache.entryDirectory(stage.fingerprint)) }
    }
    let clock = ContinuousClock()
    let start = clock.now
    RunFolder.removeOrphans(root: options.runFolderParent ?? options.root)
    let folder = try RunFolder.create(root: options.runFolderParent ?? options.root)
    try folder.write(spec: spec, plan: plan)
    let environment = RunEnvironment.current(plan: plan, pipelineFile: options.pipelineFile)
    folder.write(origin: options.origin, environment: environment)
    for observer in observers {
      observer.runDidStart(id: folder.id, directory: folder.path, spec: spec, plan: plan, environment: environment)
    }
    folder.markRecorded()
    let cache = options.isolatesCache ? ArtifactCache(directory: folder.path + "/cache") : options.cache
    for stale in cache.removeStaleTemporaryDirectories() {
      folder.appendLog("removed the temporary folder of a killed run: \(stale)")
    }
    let session = RunSession(plan: plan, cache: cache)
    session.recordStep = { stage, step, epoch, metrics in
      for observer in observers { observer.stageDidRecord(stage, step: step, epoch: epoch, metrics: metrics) }
    }
    session.reportProgress = { stage, progress in
      for observer in observers { observer.stageDidProgress(stage, progress: progress) }
    }
    var results: [String: StageResult] = [:]
    var ordered: [StageResult] = []
    var stoppedBy: String?

    for stagePlan in plan.stages {
      let stage = spec.stages[stagePlan.name]!
      let log: (String) -> Void = { line in
        folder.appendLog(line)
        for observer in observers { observer.stageDidLog(stagePlan.name, line: line) }
      }
      var result = StageResult(
        name: stage.name, kind: stage.kind, fingerprint: stagePlan.fingerprint, status: .skipped, seconds: 0,
        metrics: [:])
      if let only = options.onlyStages, !only.contains(stage.name) {
        result.error = "not part of this run"
      } else if let failedInput = stagePlan.inputs.first(where: {
        results[$0].map { $0.status == .failed || $0.status == .skipped } ?? true
      }) {
        result.error = "input '\(failedInput)' did not finish"
      } else if let stoppedBy {
        result.error = "the run stopped after '\(stoppedBy)' failed (--keep-going runs independent stages)"
      } else if stagePlan.isCacheHit,
        case .hit(let manifest) = cache.lookup(stagePlan.fingerprint, holdingIn: lease)
      {
        result.status = .cached
        result.metrics = manifest.metrics(of: stage)
        result.artifacts = manifest.files
        result.entryDirectory = cache.entryDirectory(stagePlan.fingerprint)
        log("\(stage.name): cache hit \(stagePlan.fingerprint.prefix(12))")
      } else {
        result = computeOnce(
          stage, plan: stagePlan, spec: spec, session: session, cache: cache, lease: lease, observers: observers,
          log: log)
        if result.status == .failed { stoppedBy = options.keepGoing ? nil : stage.name }
      }
      if result.status == .cached || result.status == .completed {
        try? stagePlan.record.write(root: options.root, pipeline: spec.name, stage: stage.name)
        folder.link(stage: stage.name, to: cache.entryDirectory(stagePlan.fingerprint))
      }
      results[stage.name] = result
      ordered.append(result)
      for observer in observers { observer.stageDidFinish(result) }
    }
    let seconds = Self.seconds(clock.now - start)
    var result = RunResult(id: folder.id, directory: folder.path, plan: plan, stages: ordered, seconds: seconds)
    result.origin = options.origin
    folder.write(result: result)
    for observer in observers { observer.runDidFinish(result) }
    return result
  }

  /// Executes a stage that the plan says must run, under the fingerprint's
  /// `ComputationLock`: when another process computes the same fingerprint, waits for it
  /// and reuses its entry (a cache hit) instead of computing it a second time. Forced
  /// stages (`--force`, `--no-cache`) are recomputed all the same, after the other
  /// process is done.
  private func computeOnce(
    _ stage: StageSpec, plan: StagePlan, spec: PipelineSpec, session: RunSession, cache: ArtifactCache,
    lease: CacheLease, observers: [any RunObserver], log: @escaping (String) -> Void
  ) -> StageResult {
    var computation: ComputationLock?
    if !options.isolatesCache {
      do {
        computation = try ComputationLock.acquire(in: cache, fingerprint: plan.fingerprint) { holder in
          log("\(stage.name): waiting for \(holder), which computes the same stage (\(plan.fingerprint.prefix(12)))")
        }
      } catch {
        var failed = StageResult(
          name: stage.name, kind: stage.kind, fingerprint: plan.fingerprint, status: .failed, seconds: 0, metrics: [:])
        failed.error = error.message
        log("\(stage.name): error: \(error.message)")
        return failed
      }
    }
    defer { computation?.release() }
    let isForced = if case .forced = plan.reason { true } else { false }
    if computation != nil, !isForced, case .hit(let manifest) = cache.lookup(plan.fingerprint, holdingIn: lease) {
      var result = StageResult(
        name: stage.name, kind: stage.kind, fingerprint: plan.fingerprint, status: .cached, seconds: 0,
        metrics: manifest.metrics(of: stage))
      result.artifacts = manifest.files
      result.entryDirectory = cache.entryDirectory(plan.fingerprint)
      log("\(stage.name): cache hit \(plan.fingerprint.prefix(12)) (computed meanwhile by another process)")
      return result
    }
    for observer in observers { observer.stageDidStart(plan) }
    return execute(stage, plan: plan, spec: spec, session: session, cache: cache, lease: lease, log: log)
  }

  /// Runs one stage into a temporary folder and commits it; failures become results.
  private func execute(
    _ stage: StageSpec, plan: StagePlan, spec: PipelineSpec, session: RunSession, cache: ArtifactCache,
    lease: CacheLease, log: @escaping (String) -> Void
  ) -> StageResult {
    let clock = ContinuousClock()
    let start = clock.now
    var result = StageResult(
      name: stage.name, kind: stage.kind, fingerprint: plan.fingerprint, status: .failed, seconds: 0, metrics: [:])
    var temporary: String?
    do {
      if case .corrupt = cache.lookup(plan.fingerprint), case .corrupt(let why) = plan.reason {
        let aside = try cache.moveAside(plan.fingerprint, reason: why)
        log(
          "\(stage.name): corrupt cache entry \(plan.fingerprint.prefix(12)) (\(why)); moved to \(aside), recomputing")
      }
      log("\(stage.name): running (\(plan.reason))")
      let output = try cache.makeTemporaryDirectory(plan.fingerprint)
      temporary = output
      let work = try cache.prepareWorkDirectory(plan.fingerprint, lease: lease)
      let context = StageContext(
        fingerprint: plan.fingerprint, outputDirectory: output, workDirectory: work, spec: spec,
        hooks: options.hooks, session: session, log: log)
      let metrics = try kinds.runner(of: stage).run(stage, context: context)
      let seconds = Self.seconds(clock.now - start)
      let manifest = try cache.commit(
        temporary: output, stage: stage.name, kind: stage.kind, fingerprint: plan.fingerprint, metrics: metrics,
        seconds: seconds, lease: lease)
      temporary = nil
      result.status = .completed
      result.metrics = metrics
      result.artifacts = manifest.files
      result.entryDirectory = cache.entryDirectory(plan.fingerprint)
      log("\(stage.name): done in \(String(format: "%.1f", seconds)) s")
    } catch {
      let message = (error as? RunError)?.message ?? String(describing: error)
      result.error = message
      log("\(stage.name): error: \(message)")
    }
    if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    result.seconds = Self.seconds(clock.now - start)
    return result
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
  }
}
