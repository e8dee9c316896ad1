import GRDB

/// A row of `param`: one resolved parameter of a run under its dotted key
/// (`stages.pretrain.method.temperature`), its value as JSON text and, for numbers, as
/// a number.
public struct ParamRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "param"

  public var run: String
  public var key: String
  /// JSON text (`0.5`, `"simclr"`, `true`, `[20,200]`).
  public var value: String
  /// The value when it is a JSON number.
  public var numeric: Double?

  public init(run: String, key: String, value: String, numeric: Double? = nil) {
    self.run = run
    self.key = key
    self.value = value
    self.numeric = numeric
  }
}
