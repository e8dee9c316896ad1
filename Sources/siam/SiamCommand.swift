import ArgumentParser
import SiamTensor

/// `siam`: the command-line interface of the Siam experiment engine.
@main
struct SiamCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "siam",
    abstract: "Declarative self-supervised learning experiments: SimCLR, MoCo, BYOL and relatives.",
    discussion: """
      Examples:
        siam info                 what the engine runs on (BLAS kernels, threads)
        siam bench                measure the engine (release build: make bench)
        siam bench --json         the same figures as one JSON object
        siam preview -o p.png     augmented views of Fashion-MNIST as a PNG grid
      """,
    version: SiamVersion.engine,
    subcommands: [BenchCommand.self, PreviewCommand.self, InfoCommand.self]
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
  static let engine = "0.1.0"
}
