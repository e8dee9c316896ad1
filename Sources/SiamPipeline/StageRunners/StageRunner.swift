/// Executes one stage kind: reads its inputs through a `StageContext`, writes its
/// artifacts into `context.outputDirectory` and returns its final metrics.
///
/// A runner is registered by kind in `StageRunnerRegistry`; adding a kind touches one
/// file (its runner) plus one line of the registry.
public protocol StageRunner: Sendable {
  /// The stage kind it runs (`pretrain`).
  var kind: String { get }

  /// The content hash of the data the stage reads, entering its fingerprint; nil for
  /// stages that read only other stages' artifacts (the default).
  ///
  /// - Throws: `RunError` when the data cannot be read.
  func dataContentHash(of stage: StageSpec, cacheDirectory: String) throws -> String?

  /// Runs the stage.
  ///
  /// - Returns: The final metrics (also written to the entry's manifest).
  /// - Throws: Whatever goes wrong; the runner reports it naming the stage.
  func run(_ stage: StageSpec, context: StageContext) throws -> [String: Double]
}

extension StageRunner {
  public func dataContentHash(of stage: StageSpec, cacheDirectory: String) throws -> String? { nil }
}
