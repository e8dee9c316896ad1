import ArgumentParser
import Foundation
import SiamBench
import SiamTensor

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the engine: sgemm, convolutions, SimCLR, BYOL and MoCo v2 steps, forward passes.",
    discussion: HelpText.reflowed(
      """
      Figures are medians over --trials timed runs after one warm-up run. Build in release
      mode first (make bench does); a debug build is 10-50x slower.

      Examples:
        siam bench
        siam bench --only sgemm,conv --trials 9
        siam bench --json > bench.json
        siam bench --only simclr-convnet --trials 20 --kernel-times
      """)
  )

  @OptionGroup var engine: EngineOptions

  @Flag(help: "Print one JSON object instead of lines.")
  var json = false

  @Option(help: "Timed trials per figure (the median is reported).")
  var trials = 5

  @Option(
    help: "Comma-separated parts: \(EngineBenchmark.Part.allCases.map(\.rawValue).joined(separator: ",")).",
    completion: .list(EngineBenchmark.Part.allCases.map(\.rawValue)))
  var only: String?

  @Flag(help: "Tiny shapes (checks that the benchmark runs, measures nothing useful).")
  var quick = false

  @Flag(
    help:
      "Also report the time inside the direct convolution kernels, per kernel and shape, as GFLOP/s of one core (every call, warm-up included)."
  )
  var kernelTimes = false

  func validate() throws {
    guard trials >= 1 else { throw ValidationError("--trials must be at least 1, got \(trials)") }
    _ = try parts()
  }

  func parts() throws -> Set<EngineBenchmark.Part> {
    guard let only else { return Set(EngineBenchmark.Part.allCases) }
    var result = Set<EngineBenchmark.Part>()
    for name in only.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      guard let part = EngineBenchmark.Part(rawValue: name) else {
        throw ValidationError(
          "--only: unknown part '\(name)'; known parts: \(EngineBenchmark.Part.allCases.map(\.rawValue).joined(separator: ", "))"
        )
      }
      result.insert(part)
    }
    return result
  }

  func run() throws {
    engine.apply()
    let benchmark = EngineBenchmark(options: .init(trials: trials, parts: try parts(), isQuick: quick))
    if !json {
      print(
        "siam bench: BLAS \(BLAS.info.coreType) (\(BLAS.info.coreTypeSource)), \(Parallel.threadCount) threads, median of \(trials) trials"
      )
    }
    if kernelTimes { KernelTimes.start() }
    var report = benchmark.run { line in
      guard !json else { return }
      print("  " + line)
      fflush(nil)  // progress lines appear as they are measured, also when piped
    }
    if kernelTimes {
      report.kernelTimes = KernelTimes.stop()
      if !json { printKernelTimes(report.kernelTimes) }
    }
    if json {
      print(report.jsonString())
    } else {
      print("Next: record the figures in BENCHMARKS.md; `siam bench --json` prints them for scripts.")
    }
  }

  private func printKernelTimes(_ figures: [KernelTimes.Entry]) {
    guard !figures.isEmpty else {
      print(
        "  kernel times: no direct kernel ran (the parts measured have none, or they are off: `siam info` says which convolution kernels run, and why)"
      )
      return
    }
    print("  kernel times (direct convolutions, summed over threads):")
    for f in figures {
      let shape = f.shape.padding(toLength: max(24, f.shape.count), withPad: " ", startingAt: 0)
      let kernel = f.kernel.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)
      print(
        "    \(shape) \(kernel) \(String(format: "%6.1f", f.gflopsPerCore)) GFLOP/s a core, \(String(format: "%.3f", f.seconds)) s, \(f.calls) calls"
      )
    }
  }
}
