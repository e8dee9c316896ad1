import SiamNN

/// A validated pipeline file: what `PipelineLoader.load(path:overrides:)` returns.
///
/// Every stage's parameters are checked and resolved (defaults filled in), every `needs:`
/// names an existing stage of an accepted kind, and the stages form a DAG.
public struct PipelineSpec: Sendable {
  public var name: String
  public var seed: Int
  public var description: String?
  /// Named augmentation chains (`augmentations:`).
  public var augmentations: [String: AugmentationChainSpec]
  /// Named encoders (`encoders:`).
  public var encoders: [String: EncoderConfiguration]
  /// Stages by name.
  public var stages: [String: StageSpec]
  /// The stage DAG; `graph.order` is the deterministic topological order.
  public var graph: StageGraph
  /// The `sweep:` block, checked but not expanded.
  public var sweep: SweepSpec?
  /// The `executor:` block (where a sweep's points run); never part of a fingerprint nor
  /// of `resolved`.
  public var executor = ExecutorSpec()

  /// Stages in topological order (ready stages by name).
  public var orderedStages: [StageSpec] { graph.order.map { stages[$0]! } }

  /// The resolved pipeline: `name`, `seed`, `description` and, under `stages`, each
  /// stage's `kind`, `needs` (sorted) and resolved parameters.
  public var resolved: CanonicalJSON {
    var stageValues: [String: CanonicalJSON] = [:]
    for (name, stage) in stages {
      var members = stage.resolvedParameters.objectValue ?? [:]
      members["kind"] = .string(stage.kind)
      members["needs"] = .array(stage.needs.sorted().map(CanonicalJSON.string))
      stageValues[name] = .object(members)
    }
    return [
      "name": .string(name),
      "seed": .number(seed),
      "description": description.map(CanonicalJSON.string) ?? .null,
      "stages": .object(stageValues),
    ]
  }

  /// `resolved` as dotted keys (`stages.pretrain.method.temperature` → 0.5), for the run
  /// store's parameter table.
  public var flattenedParameters: [String: CanonicalJSON] { resolved.flattened() }

  /// The dataset stage stage `name` reads from: `name` itself when it is one, else the
  /// first (by name) of its inputs, followed upstream. Nil when the walk ends elsewhere
  /// (a validated pipeline always reaches one).
  public func datasetStage(upstreamOf name: String) -> StageSpec? {
    var current = stages[name]
    var visited = Set<String>()
    while let node = current, node.kind != DatasetParameters.kind, visited.insert(node.name).inserted {
      current = node.needs.sorted().first.flatMap { stages[$0] }
    }
    return current?.kind == DatasetParameters.kind ? current : nil
  }
}
