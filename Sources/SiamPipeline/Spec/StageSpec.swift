/// One stage of a pipeline: its kind, its inputs and its resolved parameters.
public struct StageSpec: Sendable {
  /// The stage's key under `stages:`.
  public var name: String
  /// The kind's name (`pretrain`).
  public var kind: String
  /// The kind's implementation version when the file was loaded.
  public var implementationVersion: Int
  /// Names of the stages it needs, as written.
  public var needs: [String]
  /// The typed parameters (`PretrainParameters`, ...).
  public var parameters: any StageParameters
  /// Every parameter of the stage with defaults filled in and references (`encoder: small`,
  /// `views: [view, view]`) replaced by what they name; without `kind` and `needs`. What
  /// the fingerprint hashes: renaming a chain or an encoder changes nothing.
  public var resolvedParameters: CanonicalJSON
  /// Where the stage is defined.
  public var location: SourceLocation

  /// The value a stage's fingerprint is the SHA-256 of: kind, implementation version,
  /// resolved parameters, seed, the fingerprints of its inputs (sorted), the content hash
  /// of its data and the engine version. Nothing else (no names, paths, times).
  ///
  /// - Parameters:
  ///   - seed: The pipeline's seed.
  ///   - inputFingerprints: Fingerprints of the stages in `needs`.
  ///   - dataContentHash: Content hash of the data a dataset stage reads (nil for others).
  ///   - engineVersion: The engine's version string.
  public func fingerprintPayload(
    seed: Int, inputFingerprints: [String], dataContentHash: String?, engineVersion: String
  ) -> CanonicalJSON {
    [
      "kind": .string(kind),
      "implementation_version": .number(implementationVersion),
      "parameters": resolvedParameters,
      "seed": .number(seed),
      "inputs": .array(inputFingerprints.sorted().map(CanonicalJSON.string)),
      "data": dataContentHash.map(CanonicalJSON.string) ?? .null,
      "engine_version": .string(engineVersion),
    ]
  }

  /// The typed parameters, as the kind `P` declares them.
  ///
  /// - Throws: `RunError.stageFailed` when the stage is of another kind (a runner handed
  ///   a stage that is not its own: a registry mix-up, never user input).
  public func parameters<P: StageParameters>(as type: P.Type) throws(RunError) -> P {
    guard let typed = parameters as? P else {
      throw RunError(
        .stageFailed, stage: name, "stage '\(name)' is of kind '\(kind)', not '\(P.kind)': it has no \(P.self)")
    }
    return typed
  }

  /// Lower-case hex SHA-256 of the canonical JSON of `fingerprintPayload(...)`.
  public func fingerprint(
    seed: Int, inputFingerprints: [String], dataContentHash: String?, engineVersion: String
  ) -> String {
    fingerprintPayload(
      seed: seed, inputFingerprints: inputFingerprints, dataContentHash: dataContentHash,
      engineVersion: engineVersion
    ).sha256Hex
  }
}
