import ArgumentParser
import Foundation
import SiamPipeline

extension ExecutorSpec.Kind: ExpressibleByArgument {}

/// The `siam sweep` flags that choose and configure the executor; each replaces the
/// pipeline file's `executor:` key of the same name.
struct ExecutorOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "Where the points run: in-process (one after another, the default), local (child processes) or slurm (job arrays)."
  )
  var executor: ExecutorSpec.Kind?

  @Option(
    name: .long,
    help: "Points running at once (executor.max_parallel): local child processes, or the Slurm array's %N throttle.")
  var jobs: Int?

  @Option(name: .long, help: "Slurm partition (executor.partition).")
  var partition: String?

  @Option(name: .long, help: "Slurm account (executor.account).")
  var account: String?

  @Option(name: .long, help: "Slurm quality of service (executor.qos).")
  var qos: String?

  @Option(
    name: .customLong("cpus-per-task"), help: "CPUs, and so engine threads, of each point (executor.cpus_per_task).")
  var cpusPerTask: Int?

  @Option(name: .long, help: "Memory of each Slurm task, e.g. 8G (executor.mem).")
  var mem: String?

  @Option(name: .long, help: "Time limit of each Slurm task, e.g. 01:00:00 (executor.time).")
  var time: String?

  @Option(
    name: .customLong("setup"),
    help: "A shell line run before each task, e.g. 'module load openblas' (repeatable; executor.setup).")
  var setup: [String] = []

  @Option(
    name: .customLong("sbatch-arg"),
    help: "One more sbatch argument, e.g. --sbatch-arg=--constraint=avx2 (repeatable; executor.sbatch_args).")
  var sbatchArgs: [String] = []

  @Flag(
    name: .customLong("no-wait"),
    help: "Slurm: submit, print the sweep id and return; siam sweep status SWEEP merges and shows progress later.")
  var noWait = false

  /// `base` with the flags given applied.
  ///
  /// - Throws: `ValidationError` naming the flag whose value is wrong.
  func applied(to base: ExecutorSpec) throws -> ExecutorSpec {
    var spec = base
    if let executor { spec.type = executor }
    if let jobs {
      guard (1...ExecutorSpec.maximumParallel).contains(jobs) else {
        throw ValidationError("--jobs: expected an integer in [1, \(ExecutorSpec.maximumParallel)], found \(jobs)")
      }
      spec.maxParallel = jobs
    }
    if let cpusPerTask {
      guard (1...4096).contains(cpusPerTask) else {
        throw ValidationError("--cpus-per-task: expected an integer in [1, 4096], found \(cpusPerTask)")
      }
      spec.cpusPerTask = cpusPerTask
    }
    if let partition { spec.partition = partition }
    if let account { spec.account = account }
    if let qos { spec.qos = qos }
    if let mem { spec.mem = mem }
    if let time { spec.time = time }
    if !setup.isEmpty { spec.setup = setup }
    if !sbatchArgs.isEmpty { spec.sbatchArgs = sbatchArgs }
    let flags = [
      "partition": "--partition", "account": "--account", "qos": "--qos", "mem": "--mem", "time": "--time",
      "setup": "--setup", "sbatch_args": "--sbatch-arg",
    ]
    if let problem = spec.problems.first {
      throw ValidationError("\(flags[problem.key] ?? "executor.\(problem.key)"): \(problem.message)")
    }
    if noWait && spec.type != .slurm {
      throw ValidationError("--no-wait needs --executor slurm (local tasks are children of the waiting siam sweep)")
    }
    return spec
  }

  /// The `siam` binary the tasks run: `$SIAM_EXECUTABLE`, else this process's own binary.
  static var executable: String {
    if let path = ProcessInfo.processInfo.environment["SIAM_EXECUTABLE"], !path.isEmpty { return path }
    if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
    return CommandLine.arguments[0]
  }
}
