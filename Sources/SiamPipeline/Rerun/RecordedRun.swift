import Foundation

/// A finished run as its folder records it: the resolved pipeline (loaded back into a
/// `PipelineSpec`), each stage's status, final metrics and artifacts (`result.json`), the
/// environment and the origin. What `siam rerun` re-executes and compares against.
///
/// Runs written before `environment.json`, `origin.json` and the artifact lists of
/// `result.json` existed are read too: their environment is nil and their artifacts come
/// from the cache entries their `stages/<name>` links point to, when those still match.
public struct RecordedRun: Sendable {
  /// One stage of the recorded result.
  public struct Stage: Sendable {
    public var name: String
    public var kind: String
    public var fingerprint: String
    /// `cached`, `completed`, `failed` or `skipped`.
    public var status: String
    public var metrics: StageMetrics
    /// The entry's files; nil when neither the result nor the cache tells them.
    public var artifacts: [CacheManifest.File]?
    /// The cache entry folder the run used.
    public var entryDirectory: String?
  }

  public var id: String
  /// `runs/<id>`.
  public var directory: String
  /// The text of `pipeline.resolved.json`.
  public var resolvedText: String
  public var spec: PipelineSpec
  /// Stages in the order of `result.json`; empty when the run has no result (killed).
  public var stages: [Stage]
  public var hasResult: Bool
  public var environment: RunEnvironment?
  public var origin: RunOrigin

  public subscript(stage: String) -> Stage? { stages.first { $0.name == stage } }

  /// Reads the run `reference`: an id under `root`, or the path of a run folder.
  ///
  /// - Throws: `RunError` when the folder or its `pipeline.resolved.json` is missing, or
  ///   the resolved pipeline no longer validates (the message lists the problems).
  public static func read(_ reference: String, root: String) throws(RunError) -> RecordedRun {
    var isDirectory: ObjCBool = false
    let candidates = [root + "/" + reference, reference]
    guard
      let directory = candidates.first(where: {
        FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue
      })
    else {
      throw RunError(
        .cache, "no run '\(reference)' under \(root) (run folders are \(root)/<id>/; list them with ls \(root))")
    }
    let id = (URL(fileURLWithPath: directory).standardizedFileURL.path as NSString).lastPathComponent
    let resolvedPath = directory + "/pipeline.resolved.json"
    guard let resolvedData = FileManager.default.contents(atPath: resolvedPath),
      let resolvedText = String(data: resolvedData, encoding: .utf8)
    else {
      throw RunError(.cache, "\(resolvedPath) is missing or unreadable: the run cannot be re-executed")
    }
    let spec: PipelineSpec
    do {
      spec = try PipelineLoader.load(yaml: resolvedText, file: resolvedPath).spec
    } catch {
      throw RunError(.planning, "the recorded pipeline no longer validates:\n\(error.description)")
    }
    var run = RecordedRun(
      id: id, directory: directory, resolvedText: resolvedText, spec: spec, stages: [], hasResult: false,
      environment: nil, origin: RunOrigin())
    if let data = FileManager.default.contents(atPath: directory + "/environment.json"),
      let json = try? CanonicalJSON.parse(data)
    {
      run.environment = RunEnvironment(json: json)
    }
    if let data = FileManager.default.contents(atPath: directory + "/origin.json"),
      let json = try? CanonicalJSON.parse(data)
    {
      run.origin = RunOrigin(json: json)
    }
    if let data = FileManager.default.contents(atPath: directory + "/result.json") {
      guard let json = try? CanonicalJSON.parse(data), let stages = json["stages"]?.arrayValue else {
        throw RunError(.cache, "\(directory)/result.json cannot be parsed")
      }
      run.hasResult = true
      run.stages = stages.map { stage(from: $0, runDirectory: directory, spec: spec) }
    }
    return run
  }

  private static func stage(from json: CanonicalJSON, runDirectory: String, spec: PipelineSpec) -> Stage {
    let name = json["name"]?.stringValue ?? "?"
    let fingerprint = json["fingerprint"]?.stringValue ?? ""
    var artifacts: [CacheManifest.File]?
    if let items = json["artifacts"]?.arrayValue {
      artifacts = items.compactMap { item in
        guard let path = item["path"]?.stringValue, let size = item["size"]?.intValue,
          let sha = item["sha256"]?.stringValue
        else { return nil }
        return CacheManifest.File(path: path, size: size, sha256: sha)
      }
    } else if let data = FileManager.default.contents(atPath: runDirectory + "/stages/" + name + "/manifest.json"),
      let manifest = try? CacheManifest.decoded(from: data), manifest.fingerprint == fingerprint
    {
      // A run from before result.json listed artifacts: its entry, if it is still the same.
      artifacts = manifest.files
    }
    let kind = json["kind"]?.stringValue ?? "?"
    return Stage(
      name: name, kind: kind, fingerprint: fingerprint, status: json["status"]?.stringValue ?? "?",
      metrics: StageMetrics(json: json["metrics"] ?? []).upgraded(
        kind: kind, parameters: spec.stages[name]?.resolvedParameters ?? [:]),
      artifacts: artifacts, entryDirectory: json["entry"]?.stringValue)
  }
}
