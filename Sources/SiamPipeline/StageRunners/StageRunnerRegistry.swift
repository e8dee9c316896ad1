/// The stage runners, by kind.
public struct StageRunnerRegistry: Sendable {
  public private(set) var runners: [String: any StageRunner] = [:]

  public init(_ runners: [any StageRunner] = []) {
    for runner in runners { self.runners[runner.kind] = runner }
  }

  /// Every kind that has a runner.
  public static let standard = StageRunnerRegistry([
    DatasetStageRunner(),
    PretrainStageRunner(),
    LinearProbeStageRunner(),
    KNNStageRunner(),
    FinetuneStageRunner(),
    SupervisedStageRunner(),
    RandomEncoderStageRunner(),
    EmbedStageRunner(),
    DiagnosticsStageRunner(),
  ])

  /// This registry with `runner` added (replacing one of the same kind).
  public func registering(_ runner: any StageRunner) -> StageRunnerRegistry {
    var copy = self
    copy.runners[runner.kind] = runner
    return copy
  }

  public subscript(kind: String) -> (any StageRunner)? { runners[kind] }

  /// Kinds with a runner, sorted.
  public var kinds: [String] { runners.keys.sorted() }
}
