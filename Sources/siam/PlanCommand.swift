import ArgumentParser
import Foundation
import SiamPipeline
import Synchronization

/// Options of the commands that plan a pipeline (`plan`, `run`).
struct PlanningOptions: ParsableArguments {
  @Argument(help: "The pipeline file.", completion: .file(extensions: ["yaml", "yml"]))
  var file: String

  @Option(
    name: .customLong("set"), help: "Override a key: key.path=value, +key.path=value to add, ~key.path to delete.")
  var overrides: [String] = []

  @Option(name: .customLong("force"), help: "Execute this stage even when it is cached (repeatable).")
  var force: [String] = []

  @Flag(name: .customLong("force-downstream"), help: "Also execute every stage downstream of a forced one.")
  var forceDownstream = false

  @Flag(name: .customLong("no-cache"), help: "Execute every stage (their cache entries are still written).")
  var noCache = false

  @Option(name: .customLong("runs"), help: "The folder of the cache and the run folders.", completion: .directory)
  var root = "runs"

  func runOptions(keepGoing: Bool = false) -> RunOptions {
    var options = RunOptions(
      root: root, force: Set(force), forceDownstream: forceDownstream, noCache: noCache, keepGoing: keepGoing)
    options.pipelineFile = file
    return options
  }

  /// Loads the pipeline, printing its errors (exit 1) or warnings (stderr).
  func loadSpec() throws -> PipelineSpec {
    do {
      let loaded = try PipelineLoader.load(path: file, overrides: overrides)
      for warning in loaded.warnings { Console.error(warning.description) }
      return loaded.spec
    } catch {
      Console.error(error.description)
      for override in overrides where Sweep.isAxis(override) {
        Console.error(
          "hint: --set \(override) lists several values; to run each, use siam sweep \(file) --set \(override)")
      }
      throw ExitCode(1)
    }
  }
}

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what `siam run` would do: each stage's fingerprint and why it runs or is cached.",
    discussion: HelpText.reflowed(
      """
      Reasons: cached, new, parameters changed (which keys), inputs changed (which stage),
      data changed, implementation changed, forced, corrupt cache entry, not in cache.
      Dataset stages are hashed (once; the hash is cached in runs/cache/datasets).

      Examples:
        siam plan pipelines/quickstart.yaml
        siam plan pipelines/quickstart.yaml --set stages.knn.k=50
        siam plan pipelines/quickstart.yaml --force pretrain --force-downstream --json
      """)
  )

  @OptionGroup var pipeline: PlanningOptions

  @Flag(name: .long, help: "Print the plan as one JSON object.")
  var json = false

  func run() throws {
    let spec = try pipeline.loadSpec()
    let plan: RunPlan
    do {
      plan = try PipelineRunner(options: pipeline.runOptions()).plan(spec)
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    if json {
      print(plan.json.canonicalString)
      return
    }
    print(TableLayout.standardOutput(.auto).render(plan))
    let count = plan.stagesToRun.count
    print("\(count) of \(plan.stages.count) stages to run.")
    print("Next: siam run \(pipeline.file)" + pipeline.overrides.map { " --set \($0)" }.joined())
  }
}

/// Unbuffered lines to stdout and stderr (progress must show while piped).
enum Console {
  private static let choice = Mutex(ColorChoice.auto)

  /// `--color` of the running command: whether `error(_:)` colours its `error:` and
  /// `warning:` prefixes (`auto`: when stderr is a terminal and NO_COLOR is unset).
  static var colorChoice: ColorChoice {
    get { choice.withLock { $0 } }
    set { choice.withLock { $0 = newValue } }
  }

  static func output(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
  }

  static func error(_ line: String) {
    let palette = Palette(isEnabled: Terminal.isColored(colorChoice, isTerminal: Terminal.isTerminal(STDERR_FILENO)))
    FileHandle.standardError.write(Data((palette.message(line) + "\n").utf8))
  }
}
