/// Re-executes a recorded run (`siam rerun`): its resolved pipeline with the same seeds,
/// every stage recomputed, as a new run whose `origin.json` names the old one
/// (`rerun_of`).
///
/// The rerun reads nothing from the shared cache and writes its entries into its own
/// folder (`runs/<new id>/cache/`, `RunOptions.isolatesCache`): the entries the old run
/// and later cache hits point to are never replaced, so the two runs can be compared
/// file by file whatever the outcome.
public struct Rerunner: Sendable {
  /// The folder of the cache and the run folders.
  public var root: String
  public var kinds: StageKindRegistry

  public init(root: String = "runs", kinds: StageKindRegistry = .standard) {
    self.root = root
    self.kinds = kinds
  }

  /// The options of the rerun of `run`.
  public func options(for run: RecordedRun) -> RunOptions {
    var options = RunOptions(root: root)
    options.isolatesCache = true
    options.origin = RunOrigin(rerunOf: run.id)
    return options
  }

  /// The plan of the rerun and what differs from the recorded run's environment (engine
  /// version, BLAS kernels, thread counts, CPU, dataset hashes, fingerprints), one line
  /// each; runs nothing.
  ///
  /// - Throws: `RunError` when the rerun cannot be planned (data gone, ...).
  public func check(_ run: RecordedRun) throws(RunError) -> (plan: RunPlan, drift: [String]) {
    let plan = try Planner(options: options(for: run), kinds: kinds).plan(run.spec)
    var drift: [String] = []
    if let recorded = run.environment {
      drift = RunEnvironment.current(plan: plan).drift(from: recorded)
    } else {
      drift.append(
        "no recorded environment (the run predates environment.json): engine version, BLAS kernels, threads and data cannot be checked"
      )
    }
    for stage in plan.stages {
      guard let old = run[stage.name], !old.fingerprint.isEmpty, old.fingerprint != stage.fingerprint else { continue }
      drift.append(
        "fingerprint of stage '\(stage.name)': recorded \(old.fingerprint.prefix(12)), now \(stage.fingerprint.prefix(12))"
      )
    }
    return (plan, drift)
  }

  /// Re-executes `run` as a new run.
  ///
  /// - Throws: `RunError` when planning fails or the run folder cannot be created.
  public func rerun(_ run: RecordedRun, observers: [any RunObserver] = []) throws(RunError) -> RunResult {
    try PipelineRunner(options: options(for: run), kinds: kinds).run(run.spec, observers: observers)
  }
}
