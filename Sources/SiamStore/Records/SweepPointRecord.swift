import GRDB

/// A row of `sweep_point`: one point of a sweep, where and how it ran.
public struct SweepPointRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "sweep_point"

  public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
    /// Not submitted yet.
    case pending
    /// Submitted, waiting for resources (a pending Slurm job, a local slot).
    case queued
    case running
    case finished
    case failed
    /// Stopped by `siam sweep cancel`.
    case cancelled
    /// Not run: an earlier point failed under `--fail-fast`.
    case skipped

    /// Whether the point has ended (finished, failed, cancelled or skipped).
    public var isFinal: Bool { ![.pending, .queued, .running].contains(self) }
  }

  public var sweepID: String
  public var point: Int
  /// The point's assignments as a JSON array of `--set` texts.
  public var overridesJSON: String
  public var status: Status
  /// The point's latest run.
  public var runID: String?
  /// `in-process`, `local` or `slurm`.
  public var executor: String
  /// The Slurm job id (`4242`), or the local child's pid.
  public var jobID: String?
  /// The Slurm array task id.
  public var arrayIndex: Int?
  /// The host the point ran on.
  public var node: String?
  public var queuedSeconds: Double?
  public var runSeconds: Double?
  public var error: String?
  /// The last lines of the point's log, for a failed point.
  public var logTail: String?
  public var updatedAt: String

  enum CodingKeys: String, CodingKey, ColumnExpression {
    case sweepID = "sweep_id"
    case point
    case overridesJSON = "overrides_json"
    case status
    case runID = "run_id"
    case executor
    case jobID = "job_id"
    case arrayIndex = "array_index"
    case node
    case queuedSeconds = "queued_seconds"
    case runSeconds = "run_seconds"
    case error
    case logTail = "log_tail"
    case updatedAt = "updated_at"
  }

  public init(
    sweepID: String, point: Int, overridesJSON: String = "[]", status: Status, runID: String? = nil,
    executor: String, jobID: String? = nil, arrayIndex: Int? = nil, node: String? = nil,
    queuedSeconds: Double? = nil, runSeconds: Double? = nil, error: String? = nil, logTail: String? = nil,
    updatedAt: String = Timestamp.string()
  ) {
    self.sweepID = sweepID
    self.point = point
    self.overridesJSON = overridesJSON
    self.status = status
    self.runID = runID
    self.executor = executor
    self.jobID = jobID
    self.arrayIndex = arrayIndex
    self.node = node
    self.queuedSeconds = queuedSeconds
    self.runSeconds = runSeconds
    self.error = error
    self.logTail = logTail
    self.updatedAt = updatedAt
  }
}
