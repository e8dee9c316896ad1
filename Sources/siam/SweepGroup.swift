import ArgumentParser

/// `siam sweep`: run a sweep (the default), watch it, cancel it.
struct SweepGroup: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Run every point of a sweep (locally, as child processes, or on Slurm); watch or cancel it.",
    discussion: HelpText.reflowed(
      """
      siam sweep PIPELINE runs a sweep (siam sweep run PIPELINE is the same); see siam
      sweep run --help for its grammar and options.

      Examples:
        siam sweep pipelines/ablation-temperature.yaml --dry-run
        siam sweep pipelines/ablation-temperature.yaml --executor local --jobs 2
        siam sweep pipelines/ablation-temperature.yaml --executor slurm --partition debug --no-wait
        siam sweep status          the newest sweep's points: state, job, node, seconds, metric
        siam sweep cancel SWEEP    scancel what is queued or running
      """),
    subcommands: [SweepCommand.self, SweepStatusCommand.self, SweepCancelCommand.self, SweepTaskCommand.self],
    defaultSubcommand: SweepCommand.self
  )
}
