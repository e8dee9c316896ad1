import ArgumentParser
import SiamPipeline
import SiamTensor

/// `siam`: the command-line interface of the Siam experiment engine.
@main
struct SiamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "siam",
    abstract: "Declarative self-supervised learning experiments: SimCLR, MoCo, BYOL and relatives.",
    discussion: HelpText.reflowed(
      """
      Examples:
        siam validate pipelines/quickstart.yaml
                                  check a pipeline file (file:line:column errors)
        siam plan pipelines/quickstart.yaml
                                  each stage's fingerprint and why it runs or is cached
        siam run pipelines/quickstart.yaml
                                  run it (cached stages are reused)
        siam run pipelines/quickstart.yaml --set stages.knn.k=50 --json
        siam sweep pipelines/ablation-temperature.yaml --dry-run
                                  the points of a sweep and the stages they share
        siam sweep pipelines/quickstart.yaml --set stages.knn.k=5,20,200
        siam sweep pipelines/ablation-temperature.yaml --executor local --jobs 2
                                  points as child processes (--executor slurm: job arrays)
        siam sweep status         the newest local or Slurm sweep: each point's state, job, node
        siam rerun RUN_ID --verify
                                  re-execute a run; check it reproduces bit for bit
        siam runs                 recorded runs with their headline metrics
        siam show RUN             one run: stages, metrics, artifacts, environment
        siam compare RUN RUN      parameters that differ, metrics side by side
        siam query "SELECT ..."   read-only SQL over the run store (docs/store.md)
        siam report RUN -o report.html
                                  one self-contained HTML report: curves, accuracy, PCA
        siam cache ls             the artifact cache: entries, what keeps them, sizes
        siam cache gc --dry-run   what gc would remove (nothing a run or run folder needs)
        siam schema               the JSON Schema of pipeline files
        siam info                 what the engine runs on (BLAS kernels, threads)
        siam bench                measure the engine (release build: make bench)
        siam bench --json         the same figures as one JSON object
        siam preview -o p.png     augmented views of Fashion-MNIST as a PNG grid
        siam --generate-completion-script bash > ~/.local/share/bash-completion/completions/siam
                                  shell completion (bash, zsh or fish)

      Output: results on stdout; progress on stderr (a bar on a terminal, periodic lines
      otherwise, JSON lines with --log-format json, nothing with --quiet). Colour only on
      terminals: --color never or NO_COLOR=1 turns it off. Tables fit $COLUMNS or the
      terminal's width.
      """),
    version: SiamVersion.engine,
    subcommands: [
      RunCommand.self, SweepGroup.self, RerunCommand.self, PlanCommand.self, ValidateCommand.self,
      RunsCommand.self, ShowCommand.self, CompareCommand.self, QueryCommand.self, ReportCommand.self,
      CacheCommand.self, SchemaCommand.self, PreviewCommand.self, BenchCommand.self, InfoCommand.self,
    ]
  )
}

/// Options every compute command takes.
struct EngineOptions: ParsableArguments {
  @Option(name: .long, help: "Threads for the engine's kernels and for OpenBLAS (default: the number of cores).")
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 {
      throw ValidationError("--threads must be at least 1, got \(threads)")
    }
  }

  /// Applies the thread count to both pools, so that they never oversubscribe the cores.
  func apply() {
    guard let threads else { return }
    Parallel.threadCount = threads
    BLAS.threadCount = threads
  }
}

enum SiamVersion {
  static let engine = Engine.version
}
