/// How `PipelineRunner` plans and executes.
public struct RunOptions: Sendable {
  /// The folder holding `cache/`, `stages/` and the run folders (`runs`).
  public var root: String = "runs"
  /// Stages to execute even when cached (`--force STAGE`).
  public var force: Set<String> = []
  /// Also force every stage downstream of a forced one (`--force-downstream`).
  public var forceDownstream = false
  /// Execute every stage; entries are still written (`--no-cache`).
  public var noCache = false
  /// After a failure, go on with stages that do not depend on the failed one.
  public var keepGoing = false
  /// Write every entry into the run folder's own cache (`runs/<id>/cache/`) and read
  /// nothing from the shared one: every stage executes, and no entry that earlier runs
  /// point to is replaced (`siam rerun`).
  public var isolatesCache = false
  /// Where the run comes from (a sweep point, a rerun), recorded in `origin.json`.
  public var origin = RunOrigin()
  /// The pipeline file, when there is one: its SHA-256 and the git state of its work
  /// tree go into the run's environment.
  public var pipelineFile: String?
  /// Where the run folder is made (`root` when nil): a sweep's shared-stage task keeps
  /// its run folders inside the sweep folder.
  public var runFolderParent: String?
  /// Run only these stages (their inputs are expected among them); the others are
  /// skipped. A sweep's shared-stage task computes the stages its points share this way.
  public var onlyStages: Set<String>?
  /// Test seams: hooks called while stages run.
  public var hooks = RunHooks()

  public init(
    root: String = "runs", force: Set<String> = [], forceDownstream: Bool = false, noCache: Bool = false,
    keepGoing: Bool = false
  ) {
    self.root = root
    self.force = force
    self.forceDownstream = forceDownstream
    self.noCache = noCache
    self.keepGoing = keepGoing
  }

  /// The cache under `root`.
  public var cache: ArtifactCache { ArtifactCache(directory: root + "/cache") }
}

/// Hooks for tests: simulate a process killed in the middle of a stage.
public struct RunHooks: Sendable {
  /// Called after each pretraining epoch (stage name, epochs completed) once its
  /// checkpoint is written; throwing from it stops the stage as a kill would.
  public var afterPretrainEpoch: (@Sendable (_ stage: String, _ epochsCompleted: Int) throws -> Void)?

  public init(afterPretrainEpoch: (@Sendable (String, Int) throws -> Void)? = nil) {
    self.afterPretrainEpoch = afterPretrainEpoch
  }
}
