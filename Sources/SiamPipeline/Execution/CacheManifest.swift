import Foundation

/// `manifest.json` of a cache entry: what the entry holds and how to check it.
///
/// An entry is trusted only when its manifest parses, names the fingerprint of the
/// folder it is in, and every listed file exists with the recorded size and SHA-256.
public struct CacheManifest: Codable, Sendable, Hashable {
  /// One artifact file of the entry.
  public struct File: Codable, Sendable, Hashable {
    /// Path relative to the entry folder.
    public var path: String
    public var size: Int
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String

    public init(path: String, size: Int, sha256: String) {
      self.path = path
      self.size = size
      self.sha256 = sha256
    }
  }

  /// The stage name that produced the entry (informational: entries are shared by
  /// fingerprint, whatever the name).
  public var stage: String
  public var kind: String
  public var fingerprint: String
  public var files: [File]
  /// The stage's final metrics (`linear_top1`, `final_loss`, ...), each with its context.
  public var metrics: StageMetrics
  /// ISO 8601, UTC.
  public var created: String
  public var engineVersion: String
  /// Seconds the stage took to compute.
  public var seconds: Double

  enum CodingKeys: String, CodingKey {
    case stage, kind, fingerprint, files, metrics, created, seconds
    case engineVersion = "engine_version"
  }

  public init(
    stage: String, kind: String, fingerprint: String, files: [File], metrics: StageMetrics, created: String,
    engineVersion: String, seconds: Double
  ) {
    self.stage = stage
    self.kind = kind
    self.fingerprint = fingerprint
    self.files = files
    self.metrics = metrics
    self.created = created
    self.engineVersion = engineVersion
    self.seconds = seconds
  }

  /// The final metrics, for `stage` (legacy names of older entries turned into keys and
  /// contexts).
  public func metrics(of stage: StageSpec) -> StageMetrics {
    metrics.upgraded(kind: stage.kind, parameters: stage.resolvedParameters)
  }

  /// Sorted keys, pretty-printed.
  func encoded() throws -> Data {
    try JSONCoding.encoder().encode(self)
  }

  /// Reads what `encoded()` writes (non-finite metrics as `nan`, `inf`, `-inf`).
  static func decoded(from data: Data) throws -> CacheManifest {
    try JSONCoding.decoder().decode(CacheManifest.self, from: data)
  }
}
