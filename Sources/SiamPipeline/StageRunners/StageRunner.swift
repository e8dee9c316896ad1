/// Executes one stage kind: reads its inputs through a `StageContext`, writes its
/// artifacts into `context.outputDirectory` and returns its final metrics.
///
/// A runner declares its kind through its typed `Parameters` (the key set, defaults,
/// accepted inputs and schema of the kind); registering the runner in
/// `StageKindRegistry.standard` registers the whole kind. Adding a kind touches its
/// parameters file, its runner file and one line of the registry.
public protocol StageRunner: Sendable {
  /// The parameters of the kind it runs (`PretrainParameters`).
  associatedtype Parameters: StageParameters

  /// The content hash of the data the stage reads, entering its fingerprint; nil for
  /// stages that read only other stages' artifacts (the default).
  ///
  /// - Throws: `RunError` when the data cannot be read.
  func dataContentHash(of stage: StageSpec, parameters: Parameters, cacheDirectory: String) throws -> String?

  /// Runs the stage.
  ///
  /// - Returns: The final metrics (also written to the entry's manifest).
  /// - Throws: Whatever goes wrong; the runner reports it naming the stage.
  func run(_ stage: StageSpec, parameters: Parameters, context: StageContext) throws -> StageMetrics
}

extension StageRunner {
  public func dataContentHash(of stage: StageSpec, parameters: Parameters, cacheDirectory: String) throws
    -> String?
  { nil }

  /// The kind's name (`pretrain`).
  public var kind: String { Parameters.kind }

  /// `dataContentHash` for a stage of this kind whatever its static type.
  func dataContentHash(of stage: StageSpec, cacheDirectory: String) throws -> String? {
    try dataContentHash(of: stage, parameters: stage.parameters(as: Parameters.self), cacheDirectory: cacheDirectory)
  }

  /// `run` for a stage of this kind whatever its static type.
  func run(_ stage: StageSpec, context: StageContext) throws -> StageMetrics {
    try run(stage, parameters: stage.parameters(as: Parameters.self), context: context)
  }
}
