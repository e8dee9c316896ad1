import Foundation
import SiamSSL
import SiamStore

/// Records a run into the run store as it happens: the run (configuration, flattened
/// parameters, environment) at start, each stage's end with its metrics (final and, for
/// pretraining, per epoch) and artifacts, and the run's end. A heartbeat is written every
/// `heartbeatInterval` seconds while the run lives.
///
/// A store failure never stops the run: it is kept in `problems` (the run folder has
/// every result anyway) and the caller reports it. Safe to call from several threads
/// (`markKilled` comes from a signal handler).
public final class StoreRecorder: RunObserver, @unchecked Sendable {
  public let store: RunStore
  let sweepID: String?
  let sweepPoint: Int?
  let rerunOf: String?
  let heartbeatInterval: TimeInterval
  let adjustEnvironment: @Sendable (RunEnvironment) -> RunEnvironment

  private let lock = NSLock()
  private var runID: String?
  private var isRecording = false
  private var spec: PipelineSpec?
  private var stageRows: [String: StageRunRecord] = [:]
  private var problemList: [String] = []
  /// Per-step values not yet written (written at each new epoch and at the stage's end).
  private var pendingSteps: [MetricRecord] = []
  private var pendingEpoch: Int?
  private var timer: (any DispatchSourceTimer)?

  /// - Parameters:
  ///   - sweepID: The sweep the run belongs to (`RunStore.createSweep` first).
  ///   - sweepPoint: The run's 0-based point index in the sweep.
  ///   - rerunOf: The run this one re-executes.
  ///   - adjustEnvironment: Changes the runner's environment before it is recorded (a
  ///     seam for tests).
  public init(
    store: RunStore, sweepID: String? = nil, sweepPoint: Int? = nil,
    rerunOf: String? = nil,
    heartbeatInterval: TimeInterval = 30,
    adjustEnvironment: @escaping @Sendable (RunEnvironment) -> RunEnvironment = { $0 }
  ) {
    self.store = store
    self.sweepID = sweepID
    self.sweepPoint = sweepPoint
    self.rerunOf = rerunOf
    self.heartbeatInterval = heartbeatInterval
    self.adjustEnvironment = adjustEnvironment
  }

  deinit {
    timer?.cancel()
  }

  /// The id of the run being recorded, once it started.
  public var recordedRunID: String? { lock.withLock { runID } }

  /// Store failures, in order (empty when everything was recorded).
  public var problems: [String] { lock.withLock { problemList } }

  private func attempt(_ what: String, _ body: () throws(StoreError) -> Void) {
    do {
      try body()
    } catch {
      lock.withLock { problemList.append("\(what): \(error.description)") }
    }
  }

  // MARK: - RunObserver

  public func runDidStart(id: String, directory: String, spec: PipelineSpec, plan: RunPlan, environment: RunEnvironment)
  {
    let environment = adjustEnvironment(environment)
    let run = RunRecord(
      id: id, pipeline: spec.name, pipelinePath: environment.pipelineFile, pipelineSHA256: environment.pipelineSHA256,
      configJSON: spec.resolved.canonicalString, sweepID: sweepID, sweepPoint: sweepPoint, seed: spec.seed,
      directory: directory,
      engineVersion: environment.engineVersion, gitCommit: environment.gitCommit, gitDirty: environment.gitDirty,
      host: environment.host, cpu: environment.cpu, blasCoreType: environment.blasCoreType,
      threads: environment.blasThreads, engineThreads: environment.engineThreads, rerunOf: rerunOf)
    let stages = plan.stages.enumerated().map { position, stage in
      StageRunRecord(
        run: id, stage: stage.name, position: position, kind: stage.kind, fingerprint: stage.fingerprint,
        reason: stage.reason.label)
    }
    let params = spec.flattenedParameters.sorted { $0.key < $1.key }.map { key, value in
      ParamRecord(run: id, key: key, value: value.canonicalString, numeric: value.doubleValue)
    }
    lock.withLock {
      runID = id
      self.spec = spec
      for stage in stages { stageRows[stage.stage] = stage }
    }
    attempt("recording the start of run \(id)") { () throws(StoreError) in
      try store.beginRun(run, stages: stages, params: params)
      lock.withLock { isRecording = true }
    }
    startHeartbeat(id)
  }

  public func stageDidStart(_ stage: StagePlan) {
    guard
      let row = lock.withLock({ () -> StageRunRecord? in
        guard isRecording, var row = stageRows[stage.name] else { return nil }
        row.status = .running
        row.startedAt = Timestamp.string()
        stageRows[stage.name] = row
        return row
      })
    else { return }
    attempt("recording the start of stage \(stage.name)") { () throws(StoreError) in try store.updateStage(row) }
  }

  /// The context of per-step series: they sit beside the per-epoch series of the same key.
  public static let stepContext = #"{"per":"step"}"#

  public func stageDidRecord(_ stage: String, step: Int, epoch: Int, metrics: [String: Double]) {
    guard
      let (run, flush) = lock.withLock({ () -> (String, [MetricRecord])? in
        guard isRecording, let runID else { return nil }
        var flush: [MetricRecord] = []
        if let pendingEpoch, pendingEpoch != epoch { swap(&flush, &pendingSteps) }
        pendingEpoch = epoch
        return (runID, flush)
      })
    else { return }
    if !flush.isEmpty {
      attempt("recording the steps of stage \(stage)") { () throws(StoreError) in try store.appendMetrics(flush) }
    }
    let time = Timestamp.string()
    let records = metrics.keys.sorted().map {
      MetricRecord(
        run: run, stage: stage, key: $0, context: Self.stepContext, step: step, epoch: epoch, value: metrics[$0]!,
        time: time)
    }
    lock.withLock { pendingSteps += records }
  }

  public func stageDidFinish(_ result: StageResult) {
    guard
      let (row, spec) = lock.withLock({ () -> (StageRunRecord, PipelineSpec)? in
        guard isRecording, var row = stageRows[result.name], let spec else { return nil }
        row.status = Self.status(result.status)
        row.isCacheHit = result.isCacheHit
        row.finishedAt = Timestamp.string()
        row.seconds = result.seconds
        row.error = result.error
        stageRows[result.name] = row
        return (row, spec)
      })
    else { return }
    var metrics: [RecordedMetric] = []
    var artifacts: [ArtifactRecord] = []
    if let stage = spec.stages[result.name] {
      var finalStep = 0
      var finalEpoch: Int?
      if let entry = result.entryDirectory {
        if stage.kind == PretrainParameters.kind, let epochs = Self.epochRecords(entry) {
          metrics += RecordedMetric.epochs(epochs)
          finalStep = epochs.last?.globalStep ?? 0
          finalEpoch = epochs.last?.epoch
        }
        artifacts = Self.artifacts(entry, run: row.run, stage: result.name)
      }
      // A final value that repeats the last epoch's (`embedding_std`, ...) is not
      // recorded twice.
      let perEpoch = Set(metrics.map { [$0.key, $0.context, String($0.step)] })
      metrics += RecordedMetric.finals(result.metrics, step: finalStep, epoch: finalEpoch)
        .filter { !perEpoch.contains([$0.key, $0.context, String($0.step)]) }
    }
    let time = Timestamp.string()
    let steps = lock.withLock { () -> [MetricRecord] in
      defer {
        pendingSteps = []
        pendingEpoch = nil
      }
      return pendingSteps
    }
    let records =
      steps
      + metrics.map {
        MetricRecord(
          run: row.run, stage: result.name, key: $0.key, context: $0.context, step: $0.step, epoch: $0.epoch,
          value: $0.value, time: time)
      }
    attempt("recording stage \(result.name)") { () throws(StoreError) in
      try store.recordStage(row, metrics: records, artifacts: artifacts)
    }
  }

  public func runDidFinish(_ result: RunResult) {
    stopHeartbeat()
    guard lock.withLock({ isRecording }) else { return }
    attempt("recording the end of run \(result.id)") { () throws(StoreError) in
      try store.finishRun(id: result.id, status: result.succeeded ? .finished : .failed, seconds: result.seconds)
    }
  }

  /// Marks the run as killed (SIGINT/SIGTERM); unfinished stages become `killed`.
  /// Finished stages stay in the cache.
  public func markKilled() {
    stopHeartbeat()
    guard let id = lock.withLock({ isRecording ? runID : nil }) else { return }
    let steps = lock.withLock { () -> [MetricRecord] in
      defer { pendingSteps = [] }
      return pendingSteps
    }
    attempt("marking run \(id) killed") { () throws(StoreError) in
      try store.appendMetrics(steps)
      try store.finishRun(id: id, status: .killed)
    }
  }

  // MARK: - Helpers

  static func status(_ status: StageResult.Status) -> StageRunRecord.Status {
    switch status {
    case .cached: .cached
    case .completed: .completed
    case .failed: .failed
    case .skipped: .skipped
    }
  }

  /// The epoch records of a pretrain entry's `metrics.json`.
  static func epochRecords(_ entry: String) -> [EpochRecord]? {
    guard let data = FileManager.default.contents(atPath: entry + "/metrics.json") else { return nil }
    return (try? JSONCoding.decoder().decode(PretrainMetricsFile.self, from: data))?.epochs
  }

  /// The files of a cache entry, from its manifest (verified on lookup, hashed on
  /// commit). `manifest.json` itself is left out: it holds a creation time.
  static func artifacts(_ entry: String, run: String, stage: String) -> [ArtifactRecord] {
    guard let data = FileManager.default.contents(atPath: entry + "/manifest.json"),
      let manifest = try? CacheManifest.decoded(from: data)
    else { return [] }
    return manifest.files.map {
      ArtifactRecord(
        run: run, stage: stage, name: $0.path, path: "stages/\(stage)/\($0.path)", bytes: $0.size, sha256: $0.sha256)
    }
  }

  private func startHeartbeat(_ id: String) {
    guard heartbeatInterval > 0, lock.withLock({ isRecording }) else { return }
    let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
    timer.schedule(deadline: .now() + heartbeatInterval, repeating: heartbeatInterval)
    let store = store
    timer.setEventHandler { try? store.heartbeat(run: id) }
    lock.withLock { self.timer = timer }
    timer.resume()
  }

  private func stopHeartbeat() {
    let timer = lock.withLock { () -> (any DispatchSourceTimer)? in
      defer { self.timer = nil }
      return self.timer
    }
    timer?.cancel()
  }
}
