import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore
import SiamTensor

struct RerunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rerun",
    abstract: "Re-execute a recorded run from its folder, every stage recomputed; --verify checks it reproduces.",
    discussion: HelpText.reflowed(
      """
      Reads runs/<RUN>/pipeline.resolved.json and runs it again with the same seeds, as a
      new run whose origin.json names the old one (rerun_of). Nothing is read from the
      cache: every stage executes, writing into the new run's own folder
      (runs/<new id>/cache/), so no entry that other runs use is replaced.

      Before running, it warns about environment drift between the recorded run and now:
      engine version, BLAS core type, thread counts, CPU and dataset content hashes (runs
      recorded before environment.json get "no recorded environment"). Without --threads
      it uses the recorded thread counts.

      With --verify it compares every stage's final metrics bit for bit (NaN equals NaN)
      and every artifact's SHA-256, prints "identical" or each difference (stage,
      metric or artifact, old, new), and exits 1 on any difference. Timings (seconds,
      images/s) cannot reproduce and are not compared; a saved encoder whose only change
      is the fingerprint it records (a new engine version) is compared tensor by tensor.

      Examples:
        siam rerun 20261129-031502-a3f9 --verify
        siam rerun runs/20261129-031502-a3f9 --threads 1 --json
        siam rerun 20261129-031502-a3f9 --verify --log-format json 2> progress.jsonl
      """)
  )

  @Argument(
    help: ArgumentHelp("The run: its id under --runs, or the path of its folder.", valueName: "run"),
    completion: RunFolders.completion)
  var reference: String

  @Flag(name: .long, help: "Compare every metric and artifact with the recorded run; exit 1 on a difference.")
  var verify = false

  @Option(name: .customLong("runs"), help: "The folder of the cache and the run folders.", completion: .directory)
  var root = "runs"

  @OptionGroup var execution: ExecutionOptions

  func run() throws {
    let engine = execution.engine
    let json = execution.json
    Console.colorChoice = execution.progress.color
    let recorded: RecordedRun
    do {
      recorded = try RecordedRun.read(reference, root: root)
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    if engine.threads != nil {
      engine.apply()
    } else if let environment = recorded.environment {
      Parallel.threadCount = environment.engineThreads
      BLAS.threadCount = environment.blasThreads
      if !execution.progress.quiet {
        Console.error(
          "using the recorded thread counts (engine \(environment.engineThreads), BLAS \(environment.blasThreads))")
      }
    }
    let rerunner = Rerunner(root: root)
    do {
      for line in try rerunner.check(recorded).drift { Console.error("warning: environment drift: \(line)") }
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
    // The rerun is recorded as a run of its own; `rerun_of` links it to the original when
    // the original is in the store (a run from before the store is not).
    let session = ExecutionSession(execution: execution, storePath: execution.storePath(runs: root))
    let original = try? session.store?.run(matching: recorded.id)
    if session.store != nil && original == nil {
      Console.error("note: run \(recorded.id) is not in the run store; the rerun is recorded without rerun_of")
    }
    let result: RunResult
    do {
      result = try rerunner.rerun(recorded, observers: session.observers(rerunOf: original?.id))
    } catch {
      throw session.fail(error)
    }
    session.display.finish()
    let verification = verify ? RunVerification.compare(old: recorded, new: result) : nil
    if json {
      var document: [String: CanonicalJSON] = ["rerun_of": .string(recorded.id), "result": result.json]
      if let verification { document["verification"] = Self.json(verification) }
      print(CanonicalJSON.object(document).canonicalString)
    } else {
      print(RunCommand.table(result, layout: .standardOutput(execution.progress.color)))
      print("Rerun \(result.id) of \(recorded.id) in \(String(format: "%.1f", result.seconds)) s: \(result.directory)")
      if let verification { print(Self.report(verification)) }
    }
    if let failure = result.firstFailure {
      Console.error("error: stage '\(failure.name)' failed: \(failure.error ?? "unknown error")")
      throw ExitCode(1)
    }
    if let verification, !verification.isIdentical { throw ExitCode(1) }
    try session.reportProblems(directory: result.directory)
    if !json && !verify {
      print("Next: siam rerun \(recorded.id) --verify   (also compare every metric and artifact)")
    }
  }

  /// "identical: …" or one line per difference, then the notes.
  static func report(_ v: RunVerification) -> String {
    var lines: [String] = []
    if v.isIdentical {
      lines.append(
        "identical: \(v.comparedStages) stages, \(v.comparedMetrics) metrics and \(v.comparedArtifacts) artifacts match bit for bit"
      )
    } else {
      lines.append("\(v.differences.count) difference\(v.differences.count == 1 ? "" : "s"):")
      lines += v.differences.map { "  \($0)" }
    }
    lines += v.notes.map { "note: \($0)" }
    return lines.joined(separator: "\n")
  }

  static func json(_ v: RunVerification) -> CanonicalJSON {
    [
      "identical": .bool(v.isIdentical),
      "compared": [
        "stages": .number(v.comparedStages), "metrics": .number(v.comparedMetrics),
        "artifacts": .number(v.comparedArtifacts),
      ],
      "differences": .array(
        v.differences.map {
          [
            "stage": .string($0.stage), "kind": .string($0.kind.rawValue), "item": .string($0.item),
            "old": .string($0.old), "new": .string($0.new),
          ]
        }),
      "notes": .array(v.notes.map(CanonicalJSON.string)),
    ]
  }
}
