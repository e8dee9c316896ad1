/// The stage kinds a pipeline file may use, by name: each kind's parameters (keys,
/// defaults, inputs, schema) and its runner, declared together by the runner's
/// `Parameters` type.
///
/// `standard` holds the built-in kinds; a runner or a test may register more without
/// touching the core (`registering(_:)`).
public struct StageKindRegistry: Sendable {
  public private(set) var kinds: [String: StageKind] = [:]

  public init(_ runners: [any StageRunner] = []) {
    for runner in runners { self = registering(runner) }
  }

  /// The built-in kinds.
  public static let standard = StageKindRegistry([
    DatasetStageRunner(),
    PretrainStageRunner(),
    EmbedStageRunner(),
    LinearProbeStageRunner(),
    KNNStageRunner(),
    FinetuneStageRunner(),
    SupervisedStageRunner(),
    RandomEncoderStageRunner(),
    DiagnosticsStageRunner(),
  ])

  /// This registry with `runner`'s kind added (replacing a kind of the same name).
  public func registering(_ runner: some StageRunner) -> StageKindRegistry {
    var copy = self
    copy.kinds[runner.kind] = StageKind(runner)
    return copy
  }

  /// Kind names, sorted.
  public var names: [String] { kinds.keys.sorted() }

  public subscript(name: String) -> StageKind? { kinds[name] }

  /// The runner of `stage`'s kind.
  ///
  /// - Throws: `RunError.planning` when the kind is not registered here (a spec loaded
  ///   with another registry).
  func runner(of stage: StageSpec) throws(RunError) -> any StageRunner {
    guard let kind = kinds[stage.kind] else {
      throw RunError(
        .planning, stage: stage.name,
        "stage kind '\(stage.kind)' is not registered here (kinds: \(names.joined(separator: ", ")))")
    }
    return kind.runner
  }
}
