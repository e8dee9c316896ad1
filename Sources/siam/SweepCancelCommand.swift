import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore

struct SweepCancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel the queued and running points of a local or Slurm sweep (scancel); they are marked cancelled.",
    discussion: HelpText.reflowed(
      """
      Finished points stay; a cancelled point's unfinished stages resume from their last
      checkpoint when the same siam sweep command runs again.

      Examples:
        siam sweep cancel 20261203-101500-a3f9
      """)
  )

  @Argument(help: "The sweep id (runs/sweeps/<id>).")
  var sweep: String

  @Option(name: .customLong("runs"), help: "The folder of the cache and the run folders.", completion: .directory)
  var root = "runs"

  @OptionGroup var output: StoreOptions

  func run() throws {
    let storePath = StoreOptions.path(output.store, runs: root)
    let cancelled = try output.reporting { () throws(RunError) in
      try SweepCoordinator.attach(id: sweep, settings: SweepStatusCommand.settings(root: root, store: storePath))
        .cancel()
    }
    print(
      cancelled.isEmpty
        ? "Sweep \(sweep): nothing queued or running"
        : "Sweep \(sweep): cancelled points \(cancelled.map { String($0 + 1) }.joined(separator: ", "))")
    print("Next: siam sweep status \(sweep)")
  }
}
