import Foundation
import SiamPipeline
import SiamStore

/// Everything the report shows of one run: its store rows (record, stages, parameters,
/// metrics, artifacts), its run folder when it still exists, and its resolved pipeline
/// (read back from `config_json`).
public struct ReportRun: Sendable {
  public var record: RunRecord
  /// Stages in execution order.
  public var stages: [StageRunRecord]
  /// Flattened parameters: dotted key → JSON text.
  public var params: [String: String]
  /// Every metric value, by stage, key, context and step.
  public var metrics: [MetricRecord]
  public var artifacts: [ArtifactRecord]
  /// The run folder (`runs/<id>`), when it exists on this machine.
  public var directory: String?
  /// The resolved pipeline; nil when it no longer validates (`specProblem` says why).
  public var spec: PipelineSpec?
  public var specProblem: String?
  /// The sweep point or rerun it comes from (`origin.json`).
  public var origin: RunOrigin
  /// A short name for legends and table headers (set by `ReportInput`).
  public var label: String

  public var id: String { record.id }

  /// The kind of stage `name` (`pretrain`, `knn`, ...).
  public func kind(of name: String) -> String? {
    stages.first { $0.stage == name }?.kind ?? spec?.stages[name]?.kind
  }

  /// The stages of `kind`, in execution order.
  public func stages(ofKind kind: String) -> [String] {
    stages.filter { $0.kind == kind }.map(\.stage)
  }

  /// The first input of stage `name` in the resolved pipeline.
  public func input(of name: String) -> String? {
    spec?.stages[name]?.needs.sorted().first
  }

  /// The values of one series ordered by step.
  public func series(stage: String, key: String, context: String = "{}") -> [MetricRecord] {
    metrics.filter { $0.stage == stage && $0.key == key && $0.context == context }.sorted { $0.step < $1.step }
  }

  /// The distinct contexts of `key` in stage `stage`, sorted.
  public func contexts(stage: String, key: String) -> [String] {
    Set(metrics.filter { $0.stage == stage && $0.key == key }.map(\.context)).sorted()
  }

  /// The last value of a series (by step).
  public func last(stage: String, key: String, context: String) -> Double? {
    series(stage: stage, key: key, context: context).last?.value
  }

  /// The path of artifact `name` of stage `stage` on disk, when the run folder (and the
  /// cache entry it links to) still holds it.
  public func artifactPath(stage: String, name: String) -> String? {
    guard let directory else { return nil }
    let relative = artifacts.first { $0.stage == stage && $0.name == name }?.path ?? "stages/\(stage)/\(name)"
    let path = directory + "/" + relative
    return FileManager.default.fileExists(atPath: path) ? path : nil
  }

  /// The plain text of a parameter (`"simclr"` → `simclr`), nil when absent.
  public func param(_ key: String) -> String? {
    params[key].map(ParameterComparison.plain)
  }
}

extension ReportRun {
  /// Reads run `record` from `store`, its folder from `record.directory` or
  /// `runsRoot/<id>`.
  static func load(_ record: RunRecord, store: RunStore, runsRoot: String) throws(StoreError) -> ReportRun {
    let params = Dictionary(
      try store.params(run: record.id).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
    var isDirectory: ObjCBool = false
    let candidates = [record.directory, runsRoot + "/" + record.id].compactMap { $0 }
    let directory = candidates.first {
      FileManager.default.fileExists(atPath: $0 + "/pipeline.resolved.json", isDirectory: &isDirectory)
    }
    var spec: PipelineSpec?
    var problem: String?
    do {
      spec = try PipelineLoader.load(yaml: record.configJSON, file: "\(record.id)/pipeline.resolved.json").spec
    } catch {
      problem =
        "the recorded pipeline no longer validates: "
        + (error.description.split(separator: "\n").first.map(String.init) ?? "")
    }
    var origin = RunOrigin(sweepID: record.sweepID, sweepPoint: record.sweepPoint, rerunOf: record.rerunOf)
    if let directory, let data = FileManager.default.contents(atPath: directory + "/origin.json"),
      let json = try? CanonicalJSON.parse(data)
    {
      origin = RunOrigin(json: json)
    }
    return ReportRun(
      record: record, stages: try store.stages(run: record.id), params: params,
      metrics: try store.metrics(run: record.id),
      artifacts: try store.artifacts(run: record.id), directory: directory, spec: spec, specProblem: problem,
      origin: origin, label: record.id)
  }
}
