import Foundation
import SiamTensor

/// What a run ran on, recorded in its folder as `environment.json`: what can change a
/// result without changing a fingerprint (BLAS kernels, thread counts) and what `siam
/// rerun` warns about when it differs now.
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

  public init(
    engineVersion: String, blasCoreType: String, blasThreads: Int, engineThreads: Int, host: String, cpu: String,
    cores: Int, datasets: [String: String], created: String
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
  }

  /// This process now, with the data hashes of `plan`'s dataset stages.
  public static func current(plan: RunPlan) -> RunEnvironment {
    var datasets: [String: String] = [:]
    for stage in plan.stages { if let hash = stage.dataContentHash { datasets[stage.name] = hash } }
    return RunEnvironment(
      engineVersion: Engine.version, blasCoreType: BLAS.info.coreType, blasThreads: BLAS.threadCount,
      engineThreads: Parallel.threadCount, host: ProcessInfo.processInfo.hostName, cpu: cpuModel(),
      cores: ProcessInfo.processInfo.activeProcessorCount, datasets: datasets, created: FileDigest.timestamp())
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
      "created": .string(created),
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
      created: json["created"]?.stringValue ?? "")
  }
}
