import SiamNN

/// Hears what a run does, in order: the seam where the run store (and the CLI's
/// progress display) plug in. Called on the thread that runs the pipeline.
public protocol RunObserver: AnyObject {
  /// The plan is made and the run folder exists (with `environment.json`, `environment`).
  func runDidStart(id: String, directory: String, spec: PipelineSpec, plan: RunPlan, environment: RunEnvironment)
  /// A stage is about to execute (not called for cache hits).
  func stageDidStart(_ stage: StagePlan)
  /// A progress line of a running stage.
  func stageDidLog(_ stage: String, line: String)
  /// A running stage measured something at a training step (pretraining: at every
  /// logged step, `step` = steps done in the run, `epoch` 0-based). Not called for cache
  /// hits.
  func stageDidRecord(_ stage: String, step: Int, epoch: Int, metrics: [String: Double])
  /// Where a running stage stands, for progress displays (pretraining: after every step
  /// and every epoch). Not recorded; keep it cheap.
  func stageDidProgress(_ stage: String, progress: TrainingProgress)
  /// A stage ended: cached, completed, failed or skipped.
  func stageDidFinish(_ result: StageResult)
  /// Every stage has a result.
  func runDidFinish(_ result: RunResult)
}

extension RunObserver {
  public func runDidStart(id: String, directory: String, spec: PipelineSpec, plan: RunPlan, environment: RunEnvironment)
  {}
  public func stageDidStart(_ stage: StagePlan) {}
  public func stageDidLog(_ stage: String, line: String) {}
  public func stageDidRecord(_ stage: String, step: Int, epoch: Int, metrics: [String: Double]) {}
  public func stageDidProgress(_ stage: String, progress: TrainingProgress) {}
  public func stageDidFinish(_ result: StageResult) {}
  public func runDidFinish(_ result: RunResult) {}
}
