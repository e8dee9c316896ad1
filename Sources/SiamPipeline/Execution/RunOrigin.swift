/// Where a run comes from, recorded in its folder as `origin.json`: the sweep and point
/// it belongs to, or the run it re-executes. The run store maps these to its `sweep_id`
/// and `rerun_of` columns.
public struct RunOrigin: Sendable, Hashable {
  /// The sweep's id (`runs/sweeps/<id>/`), for a sweep point.
  public var sweepID: String?
  /// The point's 0-based index in its sweep.
  public var sweepPoint: Int?
  /// The point's assignments as `--set` arguments (`stages.knn.k=20`).
  public var sweepOverrides: [String]
  /// The id of the run this one re-executes (`siam rerun`).
  public var rerunOf: String?

  public init(sweepID: String? = nil, sweepPoint: Int? = nil, sweepOverrides: [String] = [], rerunOf: String? = nil) {
    self.sweepID = sweepID
    self.sweepPoint = sweepPoint
    self.sweepOverrides = sweepOverrides
    self.rerunOf = rerunOf
  }

  /// `{sweep_id, sweep_point, sweep_overrides, rerun_of}` (nulls when not set).
  public var json: CanonicalJSON {
    [
      "sweep_id": sweepID.map(CanonicalJSON.string) ?? .null,
      "sweep_point": sweepPoint.map { .number($0) } ?? .null,
      "sweep_overrides": .array(sweepOverrides.map(CanonicalJSON.string)),
      "rerun_of": rerunOf.map(CanonicalJSON.string) ?? .null,
    ]
  }

  /// Reads `json`; missing members are unset.
  public init(json: CanonicalJSON) {
    sweepID = json["sweep_id"]?.stringValue
    sweepPoint = json["sweep_point"]?.intValue
    sweepOverrides = json["sweep_overrides"]?.arrayValue?.compactMap(\.stringValue) ?? []
    rerunOf = json["rerun_of"]?.stringValue
  }
}
