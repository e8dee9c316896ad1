/// Why a stage of a plan runs, or why it does not (dvc's plan_repro, snakemake's Reason).
public enum PlanReason: Sendable, Hashable, CustomStringConvertible {
  /// A verified cache entry has the stage's fingerprint: it is not run.
  case cached
  /// Nothing is known about a stage of this name: first run.
  case new
  /// These resolved parameters (dotted keys) differ from the last run of the stage.
  case parametersChanged([String])
  /// These inputs have new fingerprints.
  case inputsChanged([String])
  /// The data the dataset stage reads changed (its content hash).
  case dataChanged
  /// The kind's implementation version (or the engine version) changed.
  case implementationChanged
  /// `--force STAGE`, `--force-downstream` or `--no-cache`.
  case forced(String)
  /// The entry failed verification; it will be moved aside and recomputed.
  case corrupt(String)
  /// The fingerprint matches the last run but its entry is gone (deleted, or the earlier
  /// run failed before finishing the stage).
  case notInCache

  /// Whether the stage executes.
  public var runs: Bool { self != .cached }

  /// A short machine-readable label (`parameters_changed`).
  public var label: String {
    switch self {
    case .cached: "cached"
    case .new: "new"
    case .parametersChanged: "parameters_changed"
    case .inputsChanged: "inputs_changed"
    case .dataChanged: "data_changed"
    case .implementationChanged: "implementation_changed"
    case .forced: "forced"
    case .corrupt: "corrupt"
    case .notInCache: "not_in_cache"
    }
  }

  /// The detail list (changed keys, changed inputs), empty for other reasons.
  public var details: [String] {
    switch self {
    case .parametersChanged(let keys): keys
    case .inputsChanged(let names): names
    case .forced(let why): [why]
    case .corrupt(let why): [why]
    default: []
    }
  }

  public var description: String {
    switch self {
    case .cached: "cached"
    case .new: "new"
    case .parametersChanged(let keys):
      "parameters changed: "
        + (keys.count > 4 ? keys.prefix(4).joined(separator: ", ") + ", …" : keys.joined(separator: ", "))
    case .inputsChanged(let names): "inputs changed: " + names.joined(separator: ", ")
    case .dataChanged: "data changed"
    case .implementationChanged: "implementation changed"
    case .forced(let why): "forced (\(why))"
    case .corrupt(let why): "corrupt cache entry (\(why))"
    case .notInCache: "not in cache"
    }
  }
}
