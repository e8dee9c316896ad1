import GRDB

/// A row of `artifact`: one file a stage of a run produced (or reused from the cache).
public struct ArtifactRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "artifact"

  public var run: String
  public var stage: String
  /// The path inside the stage's cache entry (`encoder.safetensors`).
  public var name: String
  /// The path relative to the run folder (`stages/pretrain/encoder.safetensors`).
  public var path: String
  public var bytes: Int
  /// Lower-case hex SHA-256 of the file's bytes.
  public var sha256: String

  public init(run: String, stage: String, name: String, path: String, bytes: Int, sha256: String) {
    self.run = run
    self.stage = stage
    self.name = name
    self.path = path
    self.bytes = bytes
    self.sha256 = sha256
  }
}
