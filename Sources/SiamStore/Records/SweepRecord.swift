import GRDB

/// A row of `sweep`: a set of runs of one pipeline over a grid (or list, or random
/// draw) of parameter values; runs point at it with `run.sweep_id`.
public struct SweepRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "sweep"

  public var id: String
  public var pipeline: String
  /// The axes as JSON text (`{"stages.pretrain.method.temperature":[0.1,0.2]}`).
  public var axesJSON: String
  public var createdAt: String

  enum CodingKeys: String, CodingKey, ColumnExpression {
    case id, pipeline
    case axesJSON = "axes_json"
    case createdAt = "created_at"
  }

  public init(id: String, pipeline: String, axesJSON: String, createdAt: String = Timestamp.string()) {
    self.id = id
    self.pipeline = pipeline
    self.axesJSON = axesJSON
    self.createdAt = createdAt
  }
}
