import Crypto
import Foundation
import SiamStore
import SiamTensor

/// What a run ran on, recorded in its folder as `environment.json` and in the run store's
/// `run` row: what can change a result without changing a fingerprint (BLAS kernels,
/// thread counts), what `siam rerun` warns about when it differs now, and where the
/// pipeline file came from (its SHA-256, the git commit of its work tree).
public struct RunEnvironment: Sendable, Hashable {
  public var engineVersion: String
  /// OpenBLAS's kernels (`SkylakeX`, `Haswell`, `reference` without OpenBLAS).
  public var blasCoreType: String
  public var blasThreads: Int
  /// Threads of the engine's own kernels.
  public var engineThreads: Int
  public var host: String
  /// `model name` of `/proc/cpuinfo`.
  public var cpu: String
  public var cores: Int
  /// Dataset stage name → the content hash of its data.
  public var datasets: [String: String]
  /// ISO 8601, UTC.
  public var created: String
  /// The pipeline file as given on the command line (nil without a file).
  public var pipelineFile: String?
  /// SHA-256 of the pipeline file's bytes (nil without a file).
  public var pipelineSHA256: String?
  /// `HEAD` of the git work tree holding the pipeline file (nil outside one).
  public var gitCommit: String?
  /// Uncommitted changes to tracked files of that work tree (nil outside one).
  public var gitDirty: Bool?

  public init(
    engineVersion: String, blasCoreType: String, blasThreads: Int, engineThreads: Int, host: String, cpu: String,
    cores: Int, datasets: [String: String], created: String, pipelineFile: String? = nil, pipelineSHA256: String? = nil,
    gitCommit: String? = nil, gitDirty: Bool? = nil
  ) {
    self.engineVersion = engineVersion
    self.blasCoreType = blasCoreType
    self.blasThreads = blasThreads
    self.engineThreads = engineThreads
    self.host = host
    self.cpu = cpu
    self.cores = cores
    self.datasets = datasets
    self.created = created
    self.pipelineFile = pipelineFile
    self.pipelineSHA256 = pipelineSHA256
    self.gitCommit = gitCommit
    self.gitDirty = gitDirty
  }

  /// This process now, with the data hashes of `plan`'s dataset stages; the file hash
  /// and git state come from `pipelineFile` when given (git is asked in the file's
  /// folder). The host name is gethostname(2)'s, as the run store's liveness check uses.
  public static func current(plan: RunPlan, pipelineFile: String? = nil) -> RunEnvironment {
    var datasets: [String: String] = [:]
    for stage in plan.stages { if let hash = stage.dataContentHash { datasets[stage.name] = hash } }
    var environment = RunEnvironment(
      engineVersion: Engine.version, blasCoreType: BLAS.info.coreType, blasThreads: BLAS.threadCount,
      engineThreads: Parallel.threadCount, host: ProcessLiveness.hostName, cpu: cpuModel(),
      cores: ProcessInfo.processInfo.activeProcessorCount, datasets: datasets, created: FileDigest.timestamp())
    if let pipelineFile {
      environment.pipelineFile = pipelineFile
      if let data = FileManager.default.contents(atPath: pipelineFile) {
        environment.pipelineSHA256 = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
      }
      var folder = (pipelineFile as NSString).deletingLastPathComponent
      if folder.isEmpty { folder = "." }
      if let commit = git(["rev-parse", "HEAD"], in: folder), commit.count == 40 {
        environment.gitCommit = commit
        environment.gitDirty = git(["status", "--porcelain", "--untracked-files=no"], in: folder).map { !$0.isEmpty }
      }
    }
    return environment
  }

  /// The trimmed output of `git -C folder arguments...`, nil when git fails.
  static func git(_ arguments: [String], in folder: String) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", folder] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return nil
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func cpuModel() -> String {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let colon = line.firstIndex(of: ":")
    else { return "unknown" }
    return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
  }

  /// One line per difference that may change results, `recorded` being the earlier run's:
  /// engine version, BLAS kernels, thread counts, CPU model, dataset content hashes.
  public func drift(from recorded: RunEnvironment) -> [String] {
    var lines: [String] = []
    func check(_ what: String, _ old: String, _ new: String) {
      if old != new { lines.append("\(what): recorded \(old), now \(new)") }
    }
    check("engine version", recorded.engineVersion, engineVersion)
    check("BLAS core type", recorded.blasCoreType, blasCoreType)
    check("BLAS threads", String(recorded.blasThreads), String(blasThreads))
    check("engine threads", String(recorded.engineThreads), String(engineThreads))
    check("CPU", recorded.cpu, cpu)
    for stage in Set(recorded.datasets.keys).union(datasets.keys).sorted() {
      check(
        "data of stage '\(stage)'", recorded.datasets[stage].map { String($0.prefix(12)) } ?? "none",
        datasets[stage].map { String($0.prefix(12)) } ?? "none")
    }
    return lines
  }

  public var json: CanonicalJSON {
    [
      "engine_version": .string(engineVersion), "blas_core_type": .string(blasCoreType),
      "blas_threads": .number(blasThreads), "engine_threads": .number(engineThreads), "host": .string(host),
      "cpu": .string(cpu), "cores": .number(cores), "datasets": .object(datasets.mapValues(CanonicalJSON.string)),
      "created": .string(created), "pipeline_file": pipelineFile.map(CanonicalJSON.string) ?? .null,
      "pipeline_sha256": pipelineSHA256.map(CanonicalJSON.string) ?? .null,
      "git_commit": gitCommit.map(CanonicalJSON.string) ?? .null,
      "git_dirty": gitDirty.map(CanonicalJSON.bool) ?? .null,
    ]
  }

  /// Reads `json`.
  ///
  /// - Returns: nil when a member is missing or of the wrong type.
  public init?(json: CanonicalJSON) {
    guard let engineVersion = json["engine_version"]?.stringValue,
      let blasCoreType = json["blas_core_type"]?.stringValue,
      let blasThreads = json["blas_threads"]?.intValue, let engineThreads = json["engine_threads"]?.intValue
    else { return nil }
    self.init(
      engineVersion: engineVersion, blasCoreType: blasCoreType, blasThreads: blasThreads, engineThreads: engineThreads,
      host: json["host"]?.stringValue ?? "unknown", cpu: json["cpu"]?.stringValue ?? "unknown",
      cores: json["cores"]?.intValue ?? 0,
      datasets: (json["datasets"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
      created: json["created"]?.stringValue ?? "", pipelineFile: json["pipeline_file"]?.stringValue,
      pipelineSHA256: json["pipeline_sha256"]?.stringValue,
      gitCommit: json["git_commit"]?.stringValue, gitDirty: json["git_dirty"]?.boolValue)
  }
}
