import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

/// `siam sweep --executor local|slurm`: submit through `SweepCoordinator`, then wait
/// (showing each point's changes) and print the points' table, or return at once with
/// `--no-wait`.
struct SweepDistribution {
  let sweep: Sweep
  let runner: SweepRunner
  let executor: ExecutorSpec
  let pipeline: PlanningOptions
  let execution: ExecutionOptions
  let noWait: Bool
  let failFast: Bool
  let keepGoing: Bool

  func run() throws {
    if !pipeline.force.isEmpty || pipeline.noCache || pipeline.forceDownstream {
      Console.error("error: --force, --force-downstream and --no-cache work with --executor in-process only")
      throw ExitCode(1)
    }
    let display = execution.makeDisplay()
    var settings = SweepCoordinator.Settings(
      root: pipeline.root, storePath: execution.storePath(runs: pipeline.root), executor: executor,
      executable: ExecutorOptions.executable)
    settings.threads = execution.engine.threads
    settings.failFast = failFast
    settings.keepGoing = keepGoing
    let coordinator: SweepCoordinator
    do {
      let plan = try runner.plan(sweep)
      let submitted: [Int]
      (coordinator, submitted) = try SweepCoordinator.submit(sweep, plan: plan, settings: settings)
      display.send(
        .log(
          stage: nil,
          line: "sweep \(coordinator.id): \(plan.summary); \(executor.type.rawValue) executor: submitted "
            + "\(submitted.count) of \(sweep.points.count) points (\(coordinator.workspace.path))"))
    } catch {
      display.finish()
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    if noWait {
      display.finish()
      print(coordinator.id)
      Console.error("Next: siam sweep status \(coordinator.id)   (progress, and merges finished points into the store)")
      return
    }
    // Ctrl-C or SIGTERM: local tasks are this process's children and are cancelled;
    // Slurm jobs go on without the coordinator.
    let trap = SignalTrap { [coordinator] signal in
      if coordinator.tasksOutliveCoordinator {
        Console.error("\nstopped waiting (signal \(signal)); the jobs go on: siam sweep status \(coordinator.id)")
      } else {
        _ = try? coordinator.cancel()
        Console.error("\nstopped by signal \(signal): the running points are cancelled; the same command resumes them")
      }
    }
    defer { trap.remove() }
    let total = sweep.points.count
    var seen: [Int: SweepPointRecord.Status] = [:]
    let statuses = coordinator.wait { statuses in
      for point in statuses where seen[point.index] != point.status {
        seen[point.index] = point.status
        var line = "point \(point.index + 1)/\(total) \(point.status.rawValue)"
        if let job = point.job { line += " job \(job)" }
        if let node = point.node { line += " on \(node)" }
        if let error = point.error, point.status == .failed { line += ": \(error)" }
        display.send(.log(stage: nil, line: line))
      }
    }
    display.finish()
    let store = try? RunStore.open(path: settings.storePath)
    if execution.json {
      print(SweepStatusCommand.json(statuses, sweepID: coordinator.id))
    } else {
      print(
        SweepStatusCommand.table(statuses, store: store).render(
          .table, layout: .standardOutput(execution.progress.color)))
      print("Sweep \(coordinator.id): \(coordinator.workspace.sweepFilePath)")
    }
    let failed = statuses.filter { $0.status != .finished }.count
    if failed > 0 {
      Console.error(
        "error: \(failed) of \(total) points did not finish; running the same command again submits only those.")
      throw ExitCode(1)
    }
    if !execution.json {
      print("Next: siam runs --sweep \(coordinator.id)   or   siam report --sweep \(coordinator.id) -o sweep.html")
    }
  }
}
