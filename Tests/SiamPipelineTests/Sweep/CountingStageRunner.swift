import Foundation
import SiamPipeline

/// Counts stage executions (kind and fingerprint) across runs; thread-safe.
final class ExecutionLog: @unchecked Sendable {
  private let lock = NSLock()
  private var entries: [(kind: String, fingerprint: String)] = []

  func record(kind: String, fingerprint: String) {
    lock.withLock { entries.append((kind, fingerprint)) }
  }

  var count: Int { lock.withLock { entries.count } }
  var fingerprints: [String] { lock.withLock { entries.map(\.fingerprint) } }

  func count(_ kind: String) -> Int { lock.withLock { entries.filter { $0.kind == kind }.count } }
}

/// Wraps a real runner: records every execution, and fails the stages `fails` selects.
struct CountingStageRunner: StageRunner {
  struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "injected failure" }
  }

  let base: any StageRunner
  let log: ExecutionLog
  let fails: @Sendable (StageSpec) -> Bool

  var kind: String { base.kind }

  func dataContentHash(of stage: StageSpec, cacheDirectory: String) throws -> String? {
    try base.dataContentHash(of: stage, cacheDirectory: cacheDirectory)
  }

  func run(_ stage: StageSpec, context: StageContext) throws -> [String: Double] {
    log.record(kind: stage.kind, fingerprint: context.fingerprint)
    if fails(stage) { throw InjectedFailure() }
    return try base.run(stage, context: context)
  }

  /// The standard runners, each wrapped.
  static func registry(log: ExecutionLog, fails: @escaping @Sendable (StageSpec) -> Bool = { _ in false })
    -> StageRunnerRegistry
  {
    StageRunnerRegistry(
      StageRunnerRegistry.standard.runners.values.map { CountingStageRunner(base: $0, log: log, fails: fails) })
  }
}
