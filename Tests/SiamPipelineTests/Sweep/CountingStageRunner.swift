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
struct CountingStageRunner<Base: StageRunner>: StageRunner {
  typealias Parameters = Base.Parameters

  struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "injected failure" }
  }

  let base: Base
  let log: ExecutionLog
  let fails: @Sendable (StageSpec) -> Bool

  func dataContentHash(of stage: StageSpec, parameters: Parameters, cacheDirectory: String) throws -> String? {
    try base.dataContentHash(of: stage, parameters: parameters, cacheDirectory: cacheDirectory)
  }

  func run(_ stage: StageSpec, parameters: Parameters, context: StageContext) throws -> StageMetrics {
    log.record(kind: stage.kind, fingerprint: context.fingerprint)
    if fails(stage) { throw InjectedFailure() }
    return try base.run(stage, parameters: parameters, context: context)
  }
}

/// The standard kinds, each runner wrapped in a `CountingStageRunner`.
func countingRegistry(log: ExecutionLog, fails: @escaping @Sendable (StageSpec) -> Bool = { _ in false })
  -> StageKindRegistry
{
  func wrap<R: StageRunner>(_ runner: R) -> any StageRunner {
    CountingStageRunner(base: runner, log: log, fails: fails)
  }
  return StageKindRegistry(StageKindRegistry.standard.kinds.values.map { wrap($0.runner) })
}
