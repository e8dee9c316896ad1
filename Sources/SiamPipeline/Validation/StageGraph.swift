/// The DAG of stages built from `needs:`: edges from a stage to the stages it needs.
public struct StageGraph: Sendable, Hashable {
  /// For each stage, the stages it needs (sorted).
  public let dependencies: [String: [String]]
  /// A topological order: a stage comes after everything it needs; among stages that are
  /// ready at the same time, the alphabetically first comes first.
  public let order: [String]

  /// Stages that need `stage`, sorted.
  public func dependents(of stage: String) -> [String] {
    dependencies.filter { $0.value.contains(stage) }.keys.sorted()
  }

  /// A stage as the graph builder sees it.
  struct Node {
    var name: String
    var kind: String?
    var location: SourceLocation
    /// `needs:` items with their positions; nil when the key is absent.
    var needs: [(name: String, location: SourceLocation)]?
    var needsLocation: SourceLocation?
  }

  /// Builds the graph, reporting unknown references, cycles and inputs of the wrong kind or
  /// number; returns `nil` when there is a problem.
  static func make(_ nodes: [Node], registry: StageKindRegistry, diagnostics: inout [Diagnostic]) -> StageGraph? {
    let byName = Dictionary(nodes.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var isValid = true
    var edges: [String: [String]] = [:]
    for node in nodes.sorted(by: { $0.name < $1.name }) {
      let path = KeyPath.appending(node.name, to: "stages")
      var resolvedNeeds: [String] = []
      for (index, need) in (node.needs ?? []).enumerated() {
        let itemPath = KeyPath.appending(index, to: KeyPath.appending("needs", to: path))
        if byName[need.name] == nil {
          diagnostics.append(
            Diagnostic(
              .unknownReference, at: need.location, keyPath: itemPath, "unknown stage '\(need.name)'",
              suggestion: Suggestion.nearest(to: need.name, in: byName.keys.filter { $0 != node.name })))
          isValid = false
        } else if need.name == node.name {
          diagnostics.append(Diagnostic(.cycle, at: need.location, keyPath: itemPath, "a stage cannot need itself"))
          isValid = false
        } else if !resolvedNeeds.contains(need.name) {
          resolvedNeeds.append(need.name)
        }
      }
      edges[node.name] = resolvedNeeds.sorted()
      guard isValid, let kindName = node.kind, let kind = registry[kindName] else { continue }
      let accepted = kind.inputs.kinds.sorted().map { "'\($0)'" }.joined(separator: ", ")
      if !kind.inputs.count.contains(resolvedNeeds.count) {
        let count = kind.inputs.count
        let expected =
          count.lowerBound == count.upperBound
          ? "exactly \(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)"
        let of = accepted.isEmpty ? "" : " (a stage of kind \(accepted))"
        diagnostics.append(
          Diagnostic(
            .invalidValue, at: node.needsLocation ?? node.location,
            keyPath: node.needs == nil ? path : KeyPath.appending("needs", to: path),
            "a '\(kindName)' stage needs \(expected) input\(count.upperBound == 1 ? "" : "s")\(of), found \(resolvedNeeds.count)"
          ))
        isValid = false
      }
      for (index, need) in (node.needs ?? []).enumerated() {
        guard let inputKind = byName[need.name]?.kind, registry[inputKind] != nil else { continue }
        if !kind.inputs.kinds.contains(inputKind) {
          diagnostics.append(
            Diagnostic(
              .invalidValue, at: need.location,
              keyPath: KeyPath.appending(index, to: KeyPath.appending("needs", to: path)),
              "a '\(kindName)' stage takes a stage of kind \(accepted), found '\(need.name)' of kind '\(inputKind)'"))
          isValid = false
        }
      }
    }
    let cycles = findCycles(edges)
    for cycle in cycles {
      let first = byName[cycle[0]]!
      diagnostics.append(
        Diagnostic(
          .cycle, at: first.needsLocation ?? first.location,
          keyPath: "stages.\(cycle[0]).needs",
          "cycle in needs: \((cycle + [cycle[0]]).joined(separator: " → "))"))
    }
    guard isValid, cycles.isEmpty else { return nil }
    return StageGraph(dependencies: edges, order: topologicalOrder(edges))
  }

  /// Kahn's algorithm, taking the alphabetically first ready stage each time.
  ///
  /// - Complexity: O(V² + E); pipelines have tens of stages.
  static func topologicalOrder(_ edges: [String: [String]]) -> [String] {
    var remaining = edges.mapValues(Set.init)
    var order: [String] = []
    while let next = remaining.filter({ $0.value.isEmpty }).keys.min() {
      order.append(next)
      remaining[next] = nil
      for key in remaining.keys { remaining[key]!.remove(next) }
    }
    return order
  }

  /// Elementary cycles found by depth-first search (stages and needs visited in name
  /// order), each rotated to start at its alphabetically first stage; one per back edge.
  static func findCycles(_ edges: [String: [String]]) -> [[String]] {
    enum Mark { case visiting, done }
    var marks: [String: Mark] = [:]
    var stack: [String] = []
    var cycles: [[String]] = []
    func visit(_ node: String) {
      marks[node] = .visiting
      stack.append(node)
      for next in edges[node] ?? [] {
        switch marks[next] {
        case .visiting?:
          var cycle = Array(stack[stack.lastIndex(of: next)!...])
          let start = cycle.firstIndex(of: cycle.min()!)!
          cycle = Array(cycle[start...] + cycle[..<start])
          if !cycles.contains(cycle) { cycles.append(cycle) }
        case nil: visit(next)
        case .done?: break
        }
      }
      stack.removeLast()
      marks[node] = .done
    }
    for node in edges.keys.sorted() where marks[node] == nil { visit(node) }
    return cycles.sorted { $0.lexicographicallyPrecedes($1) }
  }
}
