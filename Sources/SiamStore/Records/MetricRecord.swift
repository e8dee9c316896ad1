import GRDB

/// A row of `metric`: one value of a metric series (run × stage × key × context) at a
/// step.
///
/// `value` may be NaN or ±infinity: SQLite turns NaN into NULL, so a non-finite value
/// is stored as `value` NULL with `special` `'nan'`, `'inf'` or `'-inf'`, and read back
/// as the same `Double`.
public struct MetricRecord: Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "metric"

  public var run: String
  public var stage: String
  /// `knn_top1`, `loss`, ...
  public var key: String
  /// Canonical JSON object text that tells apart values of one key
  /// (`{"k":20,"protocol":"knn","split":"test","temperature":0.1}`); `{}` for none.
  public var context: String
  /// The training step the value belongs to (0 for evaluations).
  public var step: Int
  public var epoch: Int?
  public var value: Double
  /// When the row was written.
  public var time: String

  public init(
    run: String, stage: String, key: String, context: String = "{}", step: Int = 0, epoch: Int? = nil,
    value: Double, time: String = Timestamp.string()
  ) {
    self.run = run
    self.stage = stage
    self.key = key
    self.context = context
    self.step = step
    self.epoch = epoch
    self.value = value
    self.time = time
  }

  public init(row: Row) throws {
    run = row["run"]
    stage = row["stage"]
    key = row["key"]
    context = row["context"]
    step = row["step"]
    epoch = row["epoch"]
    value = Self.decode(value: row["value"], special: row["special"])
    time = row["time"]
  }

  public func encode(to container: inout PersistenceContainer) throws {
    container["run"] = run
    container["stage"] = stage
    container["key"] = key
    container["context"] = context
    container["step"] = step
    container["epoch"] = epoch
    let (stored, special) = Self.encode(value)
    container["value"] = stored
    container["special"] = special
    container["time"] = time
  }

  /// The (`value`, `special`) columns of `value`.
  public static func encode(_ value: Double) -> (Double?, String?) {
    if value.isNaN { return (nil, "nan") }
    if value.isInfinite { return (nil, value > 0 ? "inf" : "-inf") }
    return (value, nil)
  }

  /// The `Double` stored as (`value`, `special`).
  public static func decode(value: Double?, special: String?) -> Double {
    switch special {
    case "inf": return .infinity
    case "-inf": return -.infinity
    case "nan": return .nan
    default: return value ?? .nan
    }
  }
}

extension MetricRecord {
  /// Equal when every field is, NaN values included (`==` on `Double` says NaN ≠ NaN).
  public func isIdentical(to other: MetricRecord) -> Bool {
    run == other.run && stage == other.stage && key == other.key && context == other.context && step == other.step
      && epoch == other.epoch && (value == other.value || (value.isNaN && other.value.isNaN))
  }
}
