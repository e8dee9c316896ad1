/// The typed, resolved parameters of one stage kind.
///
/// A kind declares its parameters once, as a `ParameterShape` (an object, or a union such
/// as the dataset's `source:`); the decoder, the defaults and the JSON Schema all come from
/// it. A kind's runner names its parameters type (`StageRunner.Parameters`), and the
/// runner's line in `StageKindRegistry.standard` registers both.
public protocol StageParameters: Sendable {
  /// The `kind:` value (`pretrain`).
  static var kind: String { get }
  /// Bumped whenever the kind's implementation changes its results; part of every
  /// fingerprint, so cached results of older versions are not reused.
  static var implementationVersion: Int { get }
  /// The keys a stage of this kind takes besides `kind` and `needs`.
  static var shape: ParameterShape { get }
  /// Which stages it may take as inputs (`needs:`).
  static var inputs: StageInputs { get }
  /// One sentence for the schema.
  static var documentation: String { get }

  /// The parameters from their resolved value (checked, defaults filled in).
  init(resolved: ResolvedValues)
}

/// The inputs a stage kind takes: how many, of which kinds.
public struct StageInputs: Sendable, Hashable {
  public var kinds: Set<String>
  public var count: ClosedRange<Int>

  public init(kinds: Set<String>, count: ClosedRange<Int>) {
    self.kinds = kinds
    self.count = count
  }

  /// No inputs (a source of data).
  public static let none = StageInputs(kinds: [], count: 0...0)
  /// One stage that yields an encoder (or the dataset itself, as a raw-pixel baseline).
  public static let oneEncoder = StageInputs(
    kinds: ["pretrain", "supervised", "finetune", "random_encoder", "dataset"], count: 1...1)
}

/// A registered stage kind: its name, implementation version, parameter shape, accepted
/// inputs, how to build its typed parameters, and the runner that executes it.
public struct StageKind: Sendable {
  public let name: String
  public let implementationVersion: Int
  public let shape: ParameterShape
  public let inputs: StageInputs
  public let documentation: String
  public let makeParameters: @Sendable (ResolvedValues) -> any StageParameters
  /// The runner; its `Parameters` are this kind's.
  public let runner: any StageRunner

  public init<R: StageRunner>(_ runner: R) {
    typealias P = R.Parameters
    name = P.kind
    implementationVersion = P.implementationVersion
    shape = P.shape
    inputs = P.inputs
    documentation = P.documentation
    makeParameters = { P(resolved: $0) }
    self.runner = runner
  }

  /// Keys common to every stage.
  public static let commonKeys = ["kind", "needs"]

  /// Every key a stage of this kind may have, in declaration order.
  public var allowedKeys: [String] {
    switch shape {
    case .object(let object): return Self.commonKeys + object.keys
    case .union(let union):
      var keys = Self.commonKeys + [union.discriminator]
      for variant in union.variants { keys += variant.object.keys.filter { !keys.contains($0) } }
      return keys
    default: preconditionFailure("stage kind '\(name)' must have an object or union shape")
    }
  }
}
