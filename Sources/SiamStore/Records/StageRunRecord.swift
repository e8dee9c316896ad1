import GRDB

/// A row of `stage_run`: one stage of a run, with its fingerprint, whether it came from
/// the cache, how it ended and how long it took.
public struct StageRunRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "stage_run"

  /// The stage's state; `pending` until it starts, `killed` when its run was.
  public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
    case pending, running, cached, completed, failed, skipped, killed
  }

  public var run: String
  public var stage: String
  /// Index in the run's (topological) execution order.
  public var position: Int
  public var kind: String
  /// 64 hex digits.
  public var fingerprint: String
  /// Why the plan ran or reused it (`cached`, `new`, `parameters changed`, ...).
  public var reason: String?
  public var isCacheHit: Bool
  public var status: Status
  public var startedAt: String?
  public var finishedAt: String?
  public var seconds: Double?
  public var error: String?

  enum CodingKeys: String, CodingKey, ColumnExpression {
    case run, stage, position, kind, fingerprint, reason, status, seconds, error
    case isCacheHit = "cache_hit"
    case startedAt = "started_at"
    case finishedAt = "finished_at"
  }

  public init(
    run: String, stage: String, position: Int, kind: String, fingerprint: String, reason: String? = nil,
    status: Status = .pending, startedAt: String? = nil, finishedAt: String? = nil, seconds: Double? = nil,
    error: String? = nil
  ) {
    self.run = run
    self.stage = stage
    self.position = position
    self.kind = kind
    self.fingerprint = fingerprint
    self.reason = reason
    self.isCacheHit = status == .cached
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.seconds = seconds
    self.error = error
  }
}
