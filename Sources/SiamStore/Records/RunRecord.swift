import GRDB

/// A row of `run`: one execution of a pipeline, its resolved configuration and the
/// environment it ran in.
public struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
  public static let databaseTableName = "run"

  /// How a run ended (or that it has not).
  public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
    case running, finished, failed, killed
  }

  /// The run folder's id (`20261129-031502-a3f9`).
  public var id: String
  /// The pipeline's `name:`.
  public var pipeline: String
  /// The pipeline file as given on the command line, when there is one.
  public var pipelinePath: String?
  /// Lower-case hex SHA-256 of the pipeline file's bytes, when there is a file.
  public var pipelineSHA256: String?
  /// The resolved configuration: what `runs/<id>/pipeline.resolved.json` holds, as
  /// canonical JSON.
  public var configJSON: String
  public var sweepID: String?
  /// The run's 0-based point index in its sweep.
  public var sweepPoint: Int?
  public var seed: Int
  public var status: Status
  public var startedAt: String
  /// Set when the status is not `running`.
  public var finishedAt: String?
  /// Wall-clock seconds of the whole run.
  public var seconds: Double?
  /// The run folder (`runs/<id>`).
  public var directory: String?
  public var engineVersion: String
  public var gitCommit: String?
  /// Whether the work tree had uncommitted changes (nil outside a git work tree).
  public var gitDirty: Bool?
  public var host: String
  public var cpu: String?
  /// OpenBLAS's kernel family (`SkylakeX`, `Haswell`, ...).
  public var blasCoreType: String?
  /// OpenBLAS threads.
  public var threads: Int?
  /// The engine's own thread pool.
  public var engineThreads: Int?
  /// The recording process (repairs: a `running` row whose process is gone is `killed`).
  public var pid: Int?
  /// Updated while the run is alive.
  public var heartbeatAt: String?
  /// The run this one re-executes (`siam rerun`).
  public var rerunOf: String?

  enum CodingKeys: String, CodingKey, ColumnExpression {
    case id, pipeline, seed, status, seconds, directory, host, cpu, threads, pid
    case pipelinePath = "pipeline_path"
    case pipelineSHA256 = "pipeline_sha256"
    case configJSON = "config_json"
    case sweepID = "sweep_id"
    case sweepPoint = "sweep_point"
    case startedAt = "started_at"
    case finishedAt = "finished_at"
    case engineVersion = "engine_version"
    case gitCommit = "git_commit"
    case gitDirty = "git_dirty"
    case blasCoreType = "blas_core_type"
    case engineThreads = "engine_threads"
    case heartbeatAt = "heartbeat_at"
    case rerunOf = "rerun_of"
  }

  public init(
    id: String, pipeline: String, pipelinePath: String? = nil, pipelineSHA256: String? = nil, configJSON: String,
    sweepID: String? = nil, sweepPoint: Int? = nil, seed: Int, status: Status = .running,
    startedAt: String = Timestamp.string(),
    finishedAt: String? = nil, seconds: Double? = nil, directory: String? = nil, engineVersion: String,
    gitCommit: String? = nil, gitDirty: Bool? = nil, host: String = ProcessLiveness.hostName,
    cpu: String? = nil, blasCoreType: String? = nil, threads: Int? = nil, engineThreads: Int? = nil,
    pid: Int? = ProcessLiveness.currentPID, heartbeatAt: String? = nil, rerunOf: String? = nil
  ) {
    self.id = id
    self.pipeline = pipeline
    self.pipelinePath = pipelinePath
    self.pipelineSHA256 = pipelineSHA256
    self.configJSON = configJSON
    self.sweepID = sweepID
    self.sweepPoint = sweepPoint
    self.seed = seed
    self.status = status
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.seconds = seconds
    self.directory = directory
    self.engineVersion = engineVersion
    self.gitCommit = gitCommit
    self.gitDirty = gitDirty
    self.host = host
    self.cpu = cpu
    self.blasCoreType = blasCoreType
    self.threads = threads
    self.engineThreads = engineThreads
    self.pid = pid
    self.heartbeatAt = heartbeatAt ?? startedAt
    self.rerunOf = rerunOf
  }
}
