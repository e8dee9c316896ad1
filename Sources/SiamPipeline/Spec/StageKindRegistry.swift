/// The stage kinds a pipeline file may use, by name.
///
/// `standard` holds the built-in kinds; a runner or a test may register more without
/// touching the core (`registering(_:)`).
public struct StageKindRegistry: Sendable {
  public private(set) var kinds: [String: StageKind] = [:]

  public init(_ types: [any StageParameters.Type] = []) {
    for type in types { self = registering(type) }
  }

  /// The built-in kinds.
  public static let standard = StageKindRegistry([
    DatasetParameters.self,
    PretrainParameters.self,
    EmbedParameters.self,
    LinearProbeParameters.self,
    KNNParameters.self,
    FinetuneParameters.self,
    SupervisedParameters.self,
    RandomEncoderParameters.self,
    DiagnosticsParameters.self,
  ])

  /// This registry with `type`'s kind added (replacing a kind of the same name).
  public func registering(_ type: any StageParameters.Type) -> StageKindRegistry {
    var copy = self
    copy.kinds[type.kind] = StageKind(type)
    return copy
  }

  /// Kind names, sorted.
  public var names: [String] { kinds.keys.sorted() }

  public subscript(name: String) -> StageKind? { kinds[name] }
}
