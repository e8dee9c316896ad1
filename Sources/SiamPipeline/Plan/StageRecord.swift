import Foundation

/// What the last run of a stage (by pipeline and stage name) computed or reused:
/// `runs/stages/<pipeline>/<stage>.json`. The planner compares a stage against it to say
/// why the stage reruns (which parameters, which input, the implementation).
///
/// Only explanations come from here: whether a stage runs depends on the cache alone.
public struct StageRecord: Codable, Sendable, Hashable {
  public var fingerprint: String
  public var kind: String
  public var implementationVersion: Int
  public var engineVersion: String
  /// The resolved parameters as dotted keys → canonical JSON text of the value.
  public var parameters: [String: String]
  /// Input stage name → its fingerprint.
  public var inputs: [String: String]
  /// The data content hash (dataset stages).
  public var data: String?

  enum CodingKeys: String, CodingKey {
    case fingerprint, kind, parameters, inputs, data
    case implementationVersion = "implementation_version"
    case engineVersion = "engine_version"
  }

  /// The record of `stage` with the given fingerprints.
  public init(stage: StageSpec, fingerprint: String, inputs: [String: String], data: String?) {
    self.fingerprint = fingerprint
    kind = stage.kind
    implementationVersion = stage.implementationVersion
    engineVersion = Engine.version
    parameters = stage.resolvedParameters.flattened().mapValues(\.canonicalString)
    self.inputs = inputs
    self.data = data
  }

  static func path(root: String, pipeline: String, stage: String) -> String {
    "\(root)/stages/\(pipeline)/\(stage).json"
  }

  /// The record at `path`, or nil when there is none or it cannot be read.
  static func read(root: String, pipeline: String, stage: String) -> StageRecord? {
    guard let data = FileManager.default.contents(atPath: path(root: root, pipeline: pipeline, stage: stage)) else {
      return nil
    }
    return try? JSONDecoder().decode(StageRecord.self, from: data)
  }

  func write(root: String, pipeline: String, stage: String) throws {
    let file = Self.path(root: root, pipeline: pipeline, stage: stage)
    try FileDigest.createDirectory((file as NSString).deletingLastPathComponent)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    try FileDigest.writeAtomically(try encoder.encode(self), to: file)
  }

  /// Dotted keys whose values differ between `self` (old) and `new`, sorted.
  func changedParameters(_ new: StageRecord) -> [String] {
    Set(parameters.keys).union(new.parameters.keys).filter { parameters[$0] != new.parameters[$0] }.sorted()
  }
}
