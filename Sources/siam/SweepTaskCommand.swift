import ArgumentParser
import Foundation
import SiamPipeline

/// `siam sweep task DIR --point N | --shared`: what a local child process or a Slurm job
/// runs. Not for people: the coordinator writes these command lines.
struct SweepTaskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "task",
    abstract: "Run one task of a local or Slurm sweep (the coordinator starts these).",
    discussion: HelpText.reflowed(
      """
      A point's task records only into its shard (runs/sweeps/<id>/shards/point-<i>.sqlite)
      and reports in points/<i>.task.json; SIGTERM (scancel, a time limit) marks its run
      killed. The shared task computes the stages several points need, into the cache.

      Examples:
        siam sweep task runs/sweeps/20261203-101500-a3f9 --point 0 --threads 2
        siam sweep task runs/sweeps/20261203-101500-a3f9 --shared
      """),
    shouldDisplay: false
  )

  @Argument(help: "The sweep folder (runs/sweeps/<id>).")
  var directory: String

  @Option(name: .long, help: "The point to run (0-based).")
  var point: Int?

  @Flag(name: .long, help: "Compute the stages the points share.")
  var shared = false

  @OptionGroup var execution: ExecutionOptions

  func validate() throws {
    if (point == nil) == !shared { throw ValidationError("give exactly one of --point N and --shared") }
    if let point, point < 0 { throw ValidationError("--point must be at least 0, got \(point)") }
  }

  func run() throws {
    execution.apply()
    let workspace = SweepWorkspace(
      id: (directory as NSString).lastPathComponent,
      path: directory.hasSuffix("/") ? String(directory.dropLast()) : directory)
    let task = SweepTask(workspace: workspace)
    let display = execution.makeDisplay()
    let trap = SignalTrap { signal in task.interrupt(signal: signal) }
    defer { trap.remove() }
    let outcome: SweepTask.Outcome
    do {
      outcome = try shared ? task.runShared(observers: [display]) : task.runPoint(point!, observers: [display])
    } catch {
      display.finish()
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    display.finish()
    switch outcome {
    case .finished:
      print(shared ? "shared stages done" : "point \(point! + 1) finished")
    case .failed(let why):
      Console.error("error: \(why)")
      throw ExitCode(1)
    case .alreadyRunning(let why):
      Console.error("warning: \(why); this task does nothing")
    }
  }
}
