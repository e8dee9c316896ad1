import Foundation

/// The folder of a sweep whose points run as separate tasks (`local` and `slurm`
/// executors), on the file system every node shares:
///
///     runs/sweeps/<id>/sweep.json                 axes, points and their states (as in-process sweeps)
///     runs/sweeps/<id>/executor.json              the manifest: key, executor, points, shared stages, submissions
///     runs/sweeps/<id>/points/<i>.pipeline.json   point i's resolved pipeline (what its task runs)
///     runs/sweeps/<id>/points/<i>.task.json       what point i's task reports (state, host, job, run id)
///     runs/sweeps/<id>/points/<i>.lock            held (flock) by the task running point i
///     runs/sweeps/<id>/shards/point-<i>.sqlite    point i's store shard, merged into the main store
///     runs/sweeps/<id>/logs/point-<i>.log         its stdout and stderr; logs/shared.log for the shared task
///     runs/sweeps/<id>/shared/<run id>/           run folders of the shared-stage task
///     runs/sweeps/<id>/slurm/*.sbatch             the batch scripts submitted
public struct SweepWorkspace: Sendable {
  public let id: String
  public let path: String

  public init(id: String, path: String) {
    self.id = id
    self.path = path
  }

  /// The workspace of sweep `id` under the runs folder `root`.
  public init(root: String, id: String) {
    self.init(id: id, path: "\(root)/sweeps/\(id)")
  }

  public var manifestPath: String { path + "/executor.json" }
  public var sweepFilePath: String { path + "/sweep.json" }
  public func pipelinePath(point: Int) -> String { "\(path)/points/\(point).pipeline.json" }
  public func taskPath(point: Int) -> String { "\(path)/points/\(point).task.json" }
  public func lockPath(point: Int) -> String { "\(path)/points/\(point).lock" }
  public func shardPath(point: Int) -> String { "\(path)/shards/point-\(point).sqlite" }
  public func logPath(point: Int) -> String { "\(path)/logs/point-\(point).log" }
  public var sharedLogPath: String { path + "/logs/shared.log" }
  public var sharedTaskPath: String { path + "/shared.task.json" }
  public var coordinatorLockPath: String { path + "/coordinator.lock" }

  /// Whether the folder holds a manifest (a sweep of the local or Slurm executor).
  public var exists: Bool { FileManager.default.fileExists(atPath: manifestPath) }

  // MARK: - Manifest

  /// What the coordinator decided and did: read by every task and by `siam sweep status`.
  public struct Manifest: Codable, Sendable {
    /// One point: its index and its assignments as `--set` texts.
    public struct Point: Codable, Sendable, Hashable {
      public var index: Int
      public var overrides: [String]
    }

    /// The stages of one point that the shared task computes.
    public struct SharedStages: Codable, Sendable, Hashable {
      public var point: Int
      public var stages: [String]
    }

    /// One `sbatch` (or one batch of local processes).
    public struct Submission: Codable, Sendable, Hashable {
      /// `shared` or `points`.
      public var kind: String
      /// The Slurm job id (the array's), or `local-<n>`.
      public var jobID: String
      /// The points of an array, by array task id (empty for the shared task).
      public var points: [Int]
      /// Seconds since 1970.
      public var submittedAt: Double
    }

    public var sweepID: String
    /// SHA-256 of the points' overrides and fingerprints: the same sweep, submitted again,
    /// finds this folder.
    public var key: String
    public var pipeline: String
    public var pipelineFile: String
    /// The runs folder, absolute.
    public var root: String
    /// The main store, absolute.
    public var store: String
    /// The executor's settings as JSON text.
    public var executorJSON: String
    /// The sweep's axes as JSON text (the store's `sweep.axes_json`).
    public var axesJSON: String
    public var points: [Point]
    public var shared: [SharedStages]
    public var submissions: [Submission]
    public var keepGoing: Bool
    public var created: String
    /// Points stopped by `siam sweep cancel` and not submitted since.
    public var cancelled: Set<Int> = []

    public var executor: ExecutorSpec {
      ExecutorSpec(json: (try? CanonicalJSON.parse(Data(executorJSON.utf8))) ?? .null)
    }

    /// The latest submission of `point`, and its array task id.
    public func submission(of point: Int) -> (Submission, Int)? {
      for submission in submissions.reversed() {
        if let index = submission.points.firstIndex(of: point) { return (submission, index) }
      }
      return nil
    }
  }

  public func readManifest() throws(RunError) -> Manifest {
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
      return try JSONCoding.decoder().decode(Manifest.self, from: data)
    } catch {
      throw RunError(.cache, "cannot read the sweep manifest \(manifestPath)", cause: error)
    }
  }

  public func write(_ manifest: Manifest) throws(RunError) {
    do {
      try FileDigest.writeAtomically(try JSONCoding.encoder().encode(manifest), to: manifestPath)
    } catch let error as RunError {
      throw error
    } catch {
      throw RunError(.cache, "cannot write \(manifestPath)", cause: error)
    }
  }

  // MARK: - Task reports

  /// What a task writes about itself (`points/<i>.task.json`).
  public struct TaskReport: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable { case running, finished, failed }
    public var state: State
    public var pid: Int32
    public var host: String
    public var jobID: String?
    public var arrayIndex: Int?
    public var startedAt: Double
    public var finishedAt: Double?
    public var runID: String?
    public var error: String?
  }

  public func readTask(point: Int) -> TaskReport? { Self.read(taskPath(point: point)) }
  public func readSharedTask() -> TaskReport? { Self.read(sharedTaskPath) }

  func write(_ report: TaskReport, to path: String) {
    if let data = try? JSONCoding.encoder().encode(report) { try? FileDigest.writeAtomically(data, to: path) }
  }

  private static func read(_ path: String) -> TaskReport? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONCoding.decoder().decode(TaskReport.self, from: data)
  }

  /// The last `lines` lines of a log (at most 64 KiB read).
  public static func tail(of path: String, lines: Int = 20) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    let size = (try? handle.seekToEnd()) ?? 0
    try? handle.seek(toOffset: size > 65_536 ? size - 65_536 : 0)
    guard let data = try? handle.readToEnd(), !data.isEmpty else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
      .joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
  }

  /// The key of a sweep: the SHA-256 of the canonical JSON of the pipeline name and, per
  /// point, its overrides and its stages' fingerprints.
  static func key(pipeline: String, points: [Manifest.Point], plan: SweepPlan) -> String {
    let entries = zip(points, plan.points).map { point, run -> CanonicalJSON in
      [
        "overrides": .array(point.overrides.map(CanonicalJSON.string)),
        "fingerprints": .array(run.stages.map { .string($0.fingerprint) }),
      ]
    }
    return (["pipeline": .string(pipeline), "points": .array(entries)] as CanonicalJSON).sha256Hex
  }
}
