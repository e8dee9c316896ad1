import Crypto
import Foundation
import SiamStore
import SiamTensor

/// Where a run runs: engine version, git state of the pipeline's work tree, host, CPU,
/// BLAS kernels and threads. Recorded with every run; `siam rerun` warns when it drifts.
public struct RunProvenance: Sendable, Hashable {
  public var engineVersion: String
  public var gitCommit: String?
  /// Uncommitted changes to tracked files (nil outside a git work tree).
  public var gitDirty: Bool?
  public var host: String
  public var cpu: String?
  public var blasCoreType: String?
  public var blasThreads: Int
  public var engineThreads: Int
  /// SHA-256 of the pipeline file's bytes.
  public var pipelineSHA256: String?

  public init(
    engineVersion: String = Engine.version, gitCommit: String? = nil, gitDirty: Bool? = nil, host: String,
    cpu: String? = nil, blasCoreType: String? = nil, blasThreads: Int, engineThreads: Int,
    pipelineSHA256: String? = nil
  ) {
    self.engineVersion = engineVersion
    self.gitCommit = gitCommit
    self.gitDirty = gitDirty
    self.host = host
    self.cpu = cpu
    self.blasCoreType = blasCoreType
    self.blasThreads = blasThreads
    self.engineThreads = engineThreads
    self.pipelineSHA256 = pipelineSHA256
  }

  /// This process's environment; git and the file hash come from `pipelineFile` when
  /// given (git is asked in the file's folder; no git or no work tree leaves them nil).
  public static func current(pipelineFile: String? = nil) -> RunProvenance {
    var environment = RunProvenance(
      host: ProcessLiveness.hostName, cpu: cpuModel(), blasCoreType: BLAS.isAvailable ? BLAS.info.coreType : nil,
      blasThreads: BLAS.threadCount, engineThreads: Parallel.threadCount)
    if let pipelineFile {
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

  /// The first `model name` of /proc/cpuinfo.
  static func cpuModel() -> String? {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("model name") {
      if let colon = line.firstIndex(of: ":") {
        return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    return nil
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
}
