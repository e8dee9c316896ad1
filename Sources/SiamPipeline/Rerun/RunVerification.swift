import Foundation
import SiamNN
import SiamTensor

/// The comparison of a rerun with the run it re-executes (`siam rerun --verify`): every
/// stage's final metrics bit for bit (NaN equals NaN) and every artifact's SHA-256.
///
/// Wall-clock timings cannot reproduce and are not compared: metrics whose key names a
/// duration or a speed (`seconds`, `images_per_second`), and, inside a JSON artifact whose
/// hash differs, members with such keys (`seconds`, `imagesPerSecond`, `dataWaitSeconds`,
/// ...): a JSON artifact that differs only there counts as identical, with a note. So does
/// a safetensors artifact of a stage whose fingerprint changed (a new engine version) when
/// it differs only in the fingerprint its metadata records.
public struct RunVerification: Sendable {
  public struct Difference: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case status, metric, artifact }
    public var stage: String
    public var kind: Kind
    /// The metric key or the artifact path (empty for `status`).
    public var item: String
    public var old: String
    public var new: String

    /// `pretrain: metric final_loss: old 1.2345, new 1.2346`.
    public var description: String {
      "\(stage): \(kind.rawValue)\(item.isEmpty ? "" : " " + item): old \(old), new \(new)"
    }
  }

  public var differences: [Difference] = []
  /// What was not compared, and why.
  public var notes: [String] = []
  public var comparedStages = 0
  public var comparedMetrics = 0
  public var comparedArtifacts = 0

  public var isIdentical: Bool { differences.isEmpty }

  /// Whether a metric or JSON key names a wall-clock duration or speed.
  public static func isTiming(_ key: String) -> Bool {
    let k = key.lowercased().replacingOccurrences(of: "_", with: "")
    return k.contains("second") || k.contains("datawait") || k == "created" || k == "time"
  }

  /// Compares the stages of `new` with those recorded for `old`, by stage name.
  public static func compare(old: RecordedRun, new: RunResult) -> RunVerification {
    var v = RunVerification()
    if !old.hasResult { v.notes.append("the recorded run has no result.json (killed?): nothing to compare") }
    let newStages = Dictionary(new.stages.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for stage in old.stages {
      guard let rerun = newStages[stage.name] else {
        v.differences.append(.init(stage: stage.name, kind: .status, item: "", old: stage.status, new: "missing"))
        continue
      }
      v.comparedStages += 1
      let oldFinished = stage.status == "cached" || stage.status == "completed"
      let newFinished = rerun.status == .cached || rerun.status == .completed
      if oldFinished != newFinished {
        v.differences.append(
          .init(
            stage: stage.name, kind: .status, item: "", old: stage.status,
            new: rerun.status.rawValue + (rerun.error.map { " (\($0))" } ?? "")))
        continue
      }
      guard oldFinished else { continue }
      if stage.fingerprint != rerun.fingerprint {
        v.notes.append(
          "\(stage.name): fingerprint was \(stage.fingerprint.prefix(12)), now \(rerun.fingerprint.prefix(12)) (engine version or data changed)"
        )
      }
      v.compareMetrics(stage, rerun)
      v.compareArtifacts(stage, rerun, oldRunDirectory: old.directory)
    }
    for stage in new.stages where old[stage.name] == nil && old.hasResult {
      v.differences.append(
        .init(stage: stage.name, kind: .status, item: "", old: "missing", new: stage.status.rawValue))
    }
    return v
  }

  private mutating func compareMetrics(_ old: RecordedRun.Stage, _ new: StageResult) {
    var skipped: [String] = []
    // Each metric by key and context; labelled as a table would show it.
    func byContext(_ metrics: StageMetrics) -> [String: (label: String, value: Double)] {
      Dictionary(
        metrics.labelled.map { ($0.metric.key + " " + $0.metric.context.canonicalString, ($0.label, $0.metric.value)) },
        uniquingKeysWith: { a, _ in a })
    }
    let before = byContext(old.metrics)
    let after = byContext(new.metrics)
    for id in Set(before.keys).union(after.keys).sorted() {
      let label = (before[id] ?? after[id])!.label
      if Self.isTiming(label) {
        if !skipped.contains(label) { skipped.append(label) }
        continue
      }
      comparedMetrics += 1
      switch (before[id]?.value, after[id]?.value) {
      case (let a?, let b?) where a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN):
        continue
      case (let a, let b):
        differences.append(.init(stage: old.name, kind: .metric, item: label, old: Self.text(a), new: Self.text(b)))
      }
    }
    if !skipped.isEmpty { notes.append("\(old.name): timings not compared (\(skipped.joined(separator: ", ")))") }
  }

  private mutating func compareArtifacts(_ old: RecordedRun.Stage, _ new: StageResult, oldRunDirectory: String) {
    guard let oldFiles = old.artifacts else {
      notes.append(
        "\(old.name): the recorded run lists no artifacts and its cache entry is gone: artifacts not compared")
      return
    }
    let before = Dictionary(oldFiles.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    let after = Dictionary(new.artifacts.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    for path in Set(before.keys).union(after.keys).sorted() {
      comparedArtifacts += 1
      guard let a = before[path], let b = after[path] else {
        differences.append(
          .init(
            stage: old.name, kind: .artifact, item: path,
            old: before[path].map { "sha256 " + $0.sha256.prefix(12) } ?? "missing",
            new: after[path].map { "sha256 " + $0.sha256.prefix(12) } ?? "missing"))
        continue
      }
      if a.sha256 == b.sha256 { continue }
      // A hash that differs for a reason that cannot reproduce or is expected: compare the
      // files' contents (the old file only if it is still the one recorded).
      let oldFile = oldRunDirectory + "/stages/" + old.name + "/" + path
      if let newDirectory = new.entryDirectory, path.hasSuffix(".json") || path.hasSuffix(".safetensors"),
        (try? FileDigest.digest(of: oldFile))?.sha256 == a.sha256
      {
        let newFile = newDirectory + "/" + path
        if path.hasSuffix(".json"), Self.equalIgnoringTimings(oldFile, newFile) {
          notes.append("\(old.name): \(path) differs only in timings")
          continue
        }
        if path.hasSuffix(".safetensors"), old.fingerprint != new.fingerprint,
          Self.equalIgnoringFingerprint(oldFile, newFile)
        {
          notes.append("\(old.name): \(path) differs only in the fingerprint it records; its tensors are identical")
          continue
        }
      }
      differences.append(
        .init(
          stage: old.name, kind: .artifact, item: path,
          old: "sha256 " + a.sha256.prefix(12), new: "sha256 " + b.sha256.prefix(12)))
    }
  }

  /// Whether two safetensors files hold the same tensors, bit for bit, and the same
  /// metadata apart from `fingerprint` (which a new engine version changes by design).
  static func equalIgnoringFingerprint(_ a: String, _ b: String) -> Bool {
    guard let first = try? SafeTensors.read(from: a), let second = try? SafeTensors.read(from: b) else { return false }
    var (metadataA, metadataB) = (first.metadata, second.metadata)
    metadataA["fingerprint"] = nil
    metadataB["fingerprint"] = nil
    guard metadataA == metadataB, Set(first.tensors.keys) == Set(second.tensors.keys) else { return false }
    return first.tensors.allSatisfy { key, tensor in
      second.tensors[key].map { $0.shape == tensor.shape && $0.isBitIdentical(to: tensor) } ?? false
    }
  }

  /// Whether two JSON files are equal once members with timing keys are removed.
  static func equalIgnoringTimings(_ a: String, _ b: String) -> Bool {
    guard let da = FileManager.default.contents(atPath: a), let db = FileManager.default.contents(atPath: b),
      let ja = try? CanonicalJSON.parse(da), let jb = try? CanonicalJSON.parse(db)
    else { return false }
    return withoutTimings(ja) == withoutTimings(jb)
  }

  static func withoutTimings(_ json: CanonicalJSON) -> CanonicalJSON {
    switch json {
    case .object(let members):
      return .object(members.filter { !isTiming($0.key) }.mapValues(withoutTimings))
    case .array(let items):
      return .array(items.map(withoutTimings))
    default:
      return json
    }
  }

  /// The value with every digit needed to tell it apart (`0.30000000000000004`), or `missing`.
  static func text(_ value: Double?) -> String {
    guard let value else { return "missing" }
    return "\(value)"
  }
}
