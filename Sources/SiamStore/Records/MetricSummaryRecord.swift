import GRDB

/// A row of `metric_summary`: one metric series (run × stage × key × context) in brief,
/// kept up to date by a trigger on every insert into `metric`.
///
/// First and last are by step (ties: the later insert is last) and may be non-finite;
/// min and max are over the finite values only, each with the step where it was first
/// reached, and nil when no value was finite.
public struct MetricSummaryRecord: Sendable, Hashable, FetchableRecord, TableRecord {
  public static let databaseTableName = "metric_summary"

  public var run: String
  public var stage: String
  public var key: String
  public var context: String
  public var count: Int
  /// Values that were neither NaN nor infinite.
  public var finiteCount: Int
  public var firstStep: Int
  public var first: Double
  public var lastStep: Int
  public var last: Double
  public var minStep: Int?
  public var min: Double?
  public var maxStep: Int?
  public var max: Double?

  public init(row: Row) throws {
    run = row["run"]
    stage = row["stage"]
    key = row["key"]
    context = row["context"]
    count = row["count"]
    finiteCount = row["finite_count"]
    firstStep = row["first_step"]
    first = MetricRecord.decode(value: row["first_value"], special: row["first_special"])
    lastStep = row["last_step"]
    last = MetricRecord.decode(value: row["last_value"], special: row["last_special"])
    minStep = row["min_step"]
    min = row["min_value"]
    maxStep = row["max_step"]
    max = row["max_value"]
  }
}
