import SiamNN

/// Decodes a whole pipeline node tree (includes merged, overrides applied) into a
/// `PipelineSpec`, collecting every problem instead of stopping at the first.
struct PipelineDecoder {
  static let topLevelKeys = [
    "name", "description", "seed", "include", "augmentations", "encoders", "stages", "sweep", "executor",
  ]
  /// Names of chains, encoders and stages: usable in dotted key paths.
  static let namePattern = "^[A-Za-z_][A-Za-z0-9_-]*$"
  /// The pipeline's `name:`.
  static let pipelineNamePattern = "^[A-Za-z0-9_][A-Za-z0-9._-]*$"

  let registry: StageKindRegistry
  var shapes = ShapeDecoder()
  var sweepTrials: [SweepSpec.Trial] = []

  init(registry: StageKindRegistry) {
    self.registry = registry
  }

  var errors: [Diagnostic] { shapes.diagnostics.filter { !$0.isWarning } }
  var warnings: [Diagnostic] { shapes.diagnostics.filter(\.isWarning) }

  /// The spec, or `nil` when `errors` is not empty.
  mutating func decode(_ root: SpecNode) -> PipelineSpec? {
    guard let entries = root.entries else {
      shapes.mismatch(root, "", expected: "a mapping at the top level")
      return nil
    }
    // `x-…` keys hold anchors for `<<` merges and are otherwise ignored (as in Compose files).
    var suggested: Set<String> = []
    for entry in entries where !Self.topLevelKeys.contains(entry.key) && !entry.key.hasPrefix("x-") {
      let suggestion = Suggestion.nearest(to: entry.key, in: Self.topLevelKeys)
      if let suggestion { suggested.insert(suggestion) }
      shapes.report(.unknownKey, at: entry.keyLocation, entry.key, "unknown key", suggestion: suggestion)
    }
    let header = shapes.decodeObject(
      root,
      .init([
        .init("name", .string(), .required, ""),
        .init("description", .nullable(.string(nonEmpty: false)), .optional, ""),
        .init("seed", .integer(.nonNegative), .defaultValue(0), ""),
      ]), path: "", extraKeys: Self.topLevelKeys + entries.map(\.key))
    if let nameNode = root["name"], let name = nameNode.string, !Self.isValidName(name, allowingDots: true) {
      shapes.outOfRange(nameNode, "name", expected: "a name of letters, digits, '.', '_' and '-'")
    }

    var augmentations: [String: AugmentationChainSpec] = [:]
    var encoders: [String: EncoderConfiguration] = [:]
    for (name, value) in definitions(
      root["augmentations"], section: "augmentations", shape: AugmentationChainSpec.shape)
    {
      shapes.definitions[.augmentation, default: [:]][name] = value
      augmentations[name] = AugmentationChainSpec(resolved: value)
    }
    for (name, value) in definitions(root["encoders"], section: "encoders", shape: EncoderSpec.definitionShape) {
      shapes.definitions[.encoder, default: [:]][name] = value
      encoders[name] = EncoderSpec.configuration(resolved: value)
    }

    var stages: [String: StageSpec] = [:]
    var graphNodes: [StageGraph.Node] = []
    if let stagesNode = root["stages"] {
      if let stageEntries = stagesNode.entries, !stageEntries.isEmpty {
        for entry in stageEntries where checkName(entry, section: "stages") {
          let (node, stage) = decodeStage(entry)
          graphNodes.append(node)
          stages[entry.key] = stage
        }
      } else {
        shapes.mismatch(stagesNode, "stages", expected: "a non-empty mapping of stages")
      }
    } else if !suggested.contains("stages") {
      shapes.report(.missingKey, at: root.location, "", "missing required key 'stages'")
    }
    let graph = StageGraph.make(graphNodes, registry: registry, diagnostics: &shapes.diagnostics)

    var sweep: SweepSpec?
    if let sweepNode = root["sweep"], let decoded = SweepSpec.decode(sweepNode, &shapes) {
      sweep = decoded.0
      sweepTrials = decoded.1
    }
    var executor = ExecutorSpec()
    if let executorNode = root["executor"], executorNode.scalar != .null,
      let values = shapes.decodeObject(executorNode, ExecutorSpec.shape, path: "executor")
    {
      executor = ExecutorSpec(resolved: ResolvedValues(values))
    }
    warnUnused(root, kind: .augmentation)
    warnUnused(root, kind: .encoder)

    guard errors.isEmpty, let header, let graph, stages.count == graphNodes.count else { return nil }
    let r = ResolvedValues(header)
    return PipelineSpec(
      name: r.string("name"), seed: r.int("seed"), description: r.optionalString("description"),
      augmentations: augmentations, encoders: encoders, stages: stages, graph: graph, sweep: sweep,
      executor: executor)
  }

  // MARK: - Sections

  /// Whether `name` matches `namePattern` (or `pipelineNamePattern`).
  static func isValidName(_ name: String, allowingDots: Bool = false) -> Bool {
    func isWord(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }
    guard let first = name.first, isWord(first), allowingDots || !first.isNumber else { return false }
    return name.allSatisfy { isWord($0) || $0 == "-" || (allowingDots && $0 == ".") }
  }

  private mutating func checkName(_ entry: SpecNode.Entry, section: String) -> Bool {
    guard Self.isValidName(entry.key) else {
      shapes.report(
        .invalidValue, at: entry.keyLocation, KeyPath.appending(entry.key, to: section),
        "expected a name of letters, digits, '_' and '-' starting with a letter or '_', found '\(entry.key)'")
      return false
    }
    return true
  }

  /// The resolved values of a `name: definition` section, in file order.
  private mutating func definitions(_ node: SpecNode?, section: String, shape: ParameterShape) -> [(
    String, CanonicalJSON
  )] {
    guard let node else { return [] }
    guard let entries = node.entries else {
      if node.scalar != .null { shapes.mismatch(node, section, expected: "a mapping of names to definitions") }
      return []
    }
    var out: [(String, CanonicalJSON)] = []
    let kind: ParameterShape.ReferenceKind = section == "encoders" ? .encoder : .augmentation
    for entry in entries where checkName(entry, section: section) {
      if let value = shapes.decode(entry.value, as: shape, path: KeyPath.appending(entry.key, to: section)) {
        out.append((entry.key, value))
      } else {
        shapes.invalidDefinitions.insert("\(kind.rawValue)/\(entry.key)")
      }
    }
    return out
  }

  private mutating func decodeStage(_ entry: SpecNode.Entry) -> (StageGraph.Node, StageSpec?) {
    let path = KeyPath.appending(entry.key, to: "stages")
    let node = entry.value
    var graphNode = StageGraph.Node(name: entry.key, kind: nil, location: node.location)
    guard node.entries != nil else {
      shapes.mismatch(node, path, expected: "a mapping with 'kind'")
      return (graphNode, nil)
    }
    if let needsNode = node["needs"] {
      graphNode.needsLocation = needsNode.location
      if shapes.decode(needsNode, as: .list(.string()), path: KeyPath.appending("needs", to: path)) != nil {
        graphNode.needs = needsNode.items!.map { (name: $0.string!, location: $0.location) }
      } else {
        graphNode.needs = []
      }
    }
    guard let kindNode = node["kind"] else {
      shapes.report(
        .missingKey, at: node.location, path,
        "missing required key 'kind' (one of \(registry.names.map { "'\($0)'" }.joined(separator: ", ")))")
      return (graphNode, nil)
    }
    guard shapes.decode(kindNode, as: .enumeration(registry.names), path: KeyPath.appending("kind", to: path)) != nil,
      let kind = registry[kindNode.string!]
    else {
      return (graphNode, nil)
    }
    graphNode.kind = kind.name
    let resolved: [String: CanonicalJSON]?
    switch kind.shape {
    case .object(let object): resolved = shapes.decodeObject(node, object, path: path, extraKeys: StageKind.commonKeys)
    case .union(let union): resolved = shapes.decodeUnion(node, union, path: path, extraKeys: StageKind.commonKeys)
    default: preconditionFailure("stage kind '\(kind.name)' must have an object or union shape")
    }
    guard let resolved else { return (graphNode, nil) }
    let stage = StageSpec(
      name: entry.key, kind: kind.name, implementationVersion: kind.implementationVersion,
      needs: graphNode.needs?.map(\.name) ?? [], parameters: kind.makeParameters(ResolvedValues(resolved)),
      resolvedParameters: .object(resolved), location: node.location)
    return (graphNode, stage)
  }

  /// Warns about chains and encoders the pipeline defines but never uses. Definitions that
  /// come from an `include:`d file are libraries (a shared encoder zoo) and are not reported.
  private mutating func warnUnused(_ root: SpecNode, kind: ParameterShape.ReferenceKind) {
    for entry in root[kind.section]?.entries ?? []
    where !shapes.usedDefinitions.contains("\(kind.rawValue)/\(entry.key)") {
      guard shapes.definitions[kind]?[entry.key] != nil, entry.keyLocation.file == root.location.file else { continue }
      shapes.report(
        .warning, at: entry.keyLocation, KeyPath.appending(entry.key, to: kind.section),
        "\(kind.noun) '\(entry.key)' is never used")
    }
  }
}
