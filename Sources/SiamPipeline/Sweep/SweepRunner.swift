import Foundation

/// Plans and executes a sweep: every point is planned first (a point that cannot be
/// planned fails the sweep before anything runs), then the points run one after another
/// through `PipelineRunner`, each as a run of its own tagged with the sweep (`origin.json`).
/// A later point finds the stages it shares with earlier ones in the cache, so each
/// distinct fingerprint executes once.
///
/// `force`, `forceDownstream` and `noCache` of the options apply once per distinct
/// fingerprint: the first point that has a forced stage recomputes it, later points reuse
/// what this sweep computed.
public struct SweepRunner: Sendable {
  public var options: RunOptions
  public var kinds: StageKindRegistry
  /// Stop after the first failed point (`--fail-fast`); otherwise every point runs.
  public var failFast: Bool

  public init(options: RunOptions = RunOptions(), kinds: StageKindRegistry = .standard, failFast: Bool = false) {
    self.options = options
    self.kinds = kinds
    self.failFast = failFast
  }

  /// The plan of every point under the current cache state (runs nothing).
  ///
  /// - Throws: `RunError` naming the first point that cannot be planned.
  public func plan(_ sweep: Sweep) throws(RunError) -> SweepPlan {
    let planner = Planner(options: options, kinds: kinds)
    var plans: [RunPlan] = []
    for point in sweep.points {
      do {
        plans.append(try planner.plan(point.spec))
      } catch {
        let label = point.overrides.isEmpty ? "" : " (\(point.overrides.joined(separator: ", ")))"
        throw RunError(
          error.code, stage: error.stage,
          "sweep point \(point.index + 1) of \(sweep.points.count)\(label): \(error.message)",
          cause: error.cause.map { Cause($0) })
      }
    }
    return SweepPlan(points: plans)
  }

  /// Plans every point, creates `runs/sweeps/<id>/sweep.json`, and runs the points in order.
  ///
  /// - Parameter observer: Hears the sweep's progress and gives each point's run its
  ///   observers (the run store's writer, a progress display).
  /// - Returns: Every point's outcome; a failed point is a result, not a thrown error.
  /// - Throws: `RunError` when a point cannot be planned or the sweep folder cannot be
  ///   written; nothing has run then.
  public func run(_ sweep: Sweep, observer: (any SweepObserver)? = nil) throws(RunError) -> SweepResult {
    let plan = try plan(sweep)
    let clock = ContinuousClock()
    let start = clock.now
    SweepFolder.repairStale(root: options.root)
    let folder = try SweepFolder.create(root: options.root, sweep: sweep, plan: plan)
    observer?.sweepDidStart(id: folder.id, directory: folder.path, sweep: sweep, plan: plan)

    // Fingerprints the options force (--force, --no-cache): executed once in this sweep.
    var toRecompute = Set(
      plan.points.flatMap {
        $0.stages.filter { if case .forced = $0.reason { true } else { false } }.map(\.fingerprint)
      })
    var results: [SweepPointResult] = sweep.points.map { SweepPointResult(point: $0, status: .pending) }
    var stopped = false
    for (index, point) in sweep.points.enumerated() {
      if stopped {
        results[index].status = .skipped
        results[index].error = "not run: an earlier point failed (--fail-fast)"
        continue
      }
      var pointOptions = options
      pointOptions.noCache = false
      pointOptions.forceDownstream = false
      pointOptions.force = Set(plan.points[index].stages.filter { toRecompute.contains($0.fingerprint) }.map(\.name))
      pointOptions.origin = RunOrigin(sweepID: folder.id, sweepPoint: point.index, sweepOverrides: point.overrides)
      let runner = PipelineRunner(options: pointOptions, kinds: kinds)
      let observers = observer?.runObservers(for: point, sweepID: folder.id) ?? []
      do {
        let run = try runner.run(point.spec, observers: observers)
        results[index].run = run
        results[index].status = run.succeeded ? .finished : .failed
        if let failure = run.firstFailure {
          results[index].error = "stage '\(failure.name)' failed: \(failure.error ?? "unknown error")"
        }
        for stage in run.stages where stage.status == .completed { toRecompute.remove(stage.fingerprint) }
      } catch {
        results[index].status = .failed
        results[index].error = error.description
      }
      folder.update(points: results, status: .running)
      observer?.pointDidFinish(results[index])
      if results[index].status == .failed && failFast { stopped = true }
    }
    let status: SweepResult.Status =
      stopped ? .stopped : results.allSatisfy { $0.status == .finished } ? .finished : .failed
    folder.update(points: results, status: status)
    let result = SweepResult(
      id: folder.id, directory: folder.path, plan: plan, points: results, status: status,
      seconds: PipelineRunner.seconds(clock.now - start))
    observer?.sweepDidFinish(result)
    return result
  }
}

extension SweepRunner {
  /// Marks the sweep in `directory` (`runs/sweeps/<id>`) as killed in its `sweep.json`,
  /// with the points not finished: what a signal trap calls before the process exits.
  public static func markKilled(directory: String) {
    SweepFolder.markKilled(directory + "/sweep.json")
  }
}

/// An error's description, kept as the cause of a wrapping error.
private struct Cause: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Hears what a sweep does, in order, and gives each point's run its observers: the seam
/// where the run store records the sweep (`sweep` table) and tags each run with its
/// sweep id and point (the origin is also in `RunOptions.origin` and `origin.json`).
public protocol SweepObserver: AnyObject {
  /// Every point is planned and `runs/sweeps/<id>/sweep.json` exists.
  func sweepDidStart(id: String, directory: String, sweep: Sweep, plan: SweepPlan)
  /// The observers of the run of `point` (called just before it starts).
  func runObservers(for point: SweepPoint, sweepID: String) -> [any RunObserver]
  /// A point's run ended (or could not start).
  func pointDidFinish(_ result: SweepPointResult)
  /// Every point has a result.
  func sweepDidFinish(_ result: SweepResult)
}

extension SweepObserver {
  public func sweepDidStart(id: String, directory: String, sweep: Sweep, plan: SweepPlan) {}
  public func runObservers(for point: SweepPoint, sweepID: String) -> [any RunObserver] { [] }
  public func pointDidFinish(_ result: SweepPointResult) {}
  public func sweepDidFinish(_ result: SweepResult) {}
}
