/// One stage of a `RunPlan`: its fingerprint and why it runs or not.
public struct StagePlan: Sendable, Hashable {
  public var name: String
  public var kind: String
  public var fingerprint: String
  public var reason: PlanReason
  /// Names of the stages it needs, sorted.
  public var inputs: [String]
  /// The data content hash (dataset stages).
  public var dataContentHash: String?
  /// What the stage is compared against next time (`runs/stages/...`).
  public var record: StageRecord
  /// A killed or failed earlier run left work to resume (pretraining checkpoints in
  /// `cache/work/<fingerprint>/`).
  public var isResumable = false
  /// The epochs the newest sound checkpoint holds (the stage resumes after them); nil
  /// when there is none.
  public var resumesAfterEpoch: Int?
  /// The work folder holds checkpoints, but none reads and matches its checksum: the
  /// stage starts from the first epoch (and moves them aside).
  public var hasOnlyDamagedCheckpoints = false

  /// `; resumes after epoch 3`, `; its checkpoints are damaged: starts over`, or "".
  public var resumeNote: String {
    guard reason.runs else { return "" }
    if let epochs = resumesAfterEpoch { return "; resumes after epoch \(epochs)" }
    if hasOnlyDamagedCheckpoints { return "; its checkpoints are damaged: starts from the first epoch" }
    return ""
  }

  /// Whether a cache entry will be reused.
  public var isCacheHit: Bool { reason == .cached }

  /// `{name, kind, fingerprint, reason, details, inputs, cache_hit}`.
  public var json: CanonicalJSON {
    [
      "name": .string(name),
      "kind": .string(kind),
      "fingerprint": .string(fingerprint),
      "reason": .string(reason.label),
      "reason_text": .string(reason.description),
      "details": .array(reason.details.map(CanonicalJSON.string)),
      "inputs": .array(inputs.map(CanonicalJSON.string)),
      "cache_hit": .bool(isCacheHit),
      "resumable": .bool(isResumable),
      "resumes_after_epoch": resumesAfterEpoch.map { .number($0) } ?? .null,
    ]
  }
}
