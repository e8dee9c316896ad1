/// The points a pipeline file's `sweep:` block gives, with the nodes (and positions) of
/// their values, once the keys set on the command line are taken out.
struct FileAxes {
  private enum Strategy {
    case none
    case grid([Axis])
    case zip([Axis])
    case random(
      samples: Int, seed: Int, [(path: String, location: SourceLocation, distribution: SweepSpec.Distribution)])
  }

  /// One key of a grid or zip and its values as written.
  private struct Axis {
    var path: String
    var location: SourceLocation
    var values: [SpecNode]
  }

  private var strategy: Strategy = .none
  private(set) var axes: [SweepAxis] = []

  /// - Parameters:
  ///   - tree: The pipeline (includes merged, fixed overrides applied).
  ///   - spec: Its decoded (and validated) `sweep:` block.
  ///   - removing: Dotted key paths set on the command line.
  init(tree: SpecNode, spec: SweepSpec?, removing overridden: Set<String>) {
    guard let spec, let block = tree["sweep"] else { return }
    func normalized(_ path: String) -> String { KeyPath.components(path).joined(separator: ".") }
    func fileAxes(_ key: String) -> [Axis] {
      (block[key]?.entries ?? []).filter { !overridden.contains(normalized($0.key)) }.map {
        Axis(path: normalized($0.key), location: $0.keyLocation, values: $0.value.items ?? [])
      }
    }
    switch spec.strategy {
    case .grid:
      let kept = fileAxes("grid")
      strategy = kept.isEmpty ? .none : .grid(kept)
      axes = kept.map {
        SweepAxis(
          path: $0.path, kind: .grid, values: $0.values.map(\.rawJSON), distribution: nil, source: "\($0.location)")
      }
    case .zip:
      let kept = fileAxes("zip")
      strategy = kept.isEmpty ? .none : .zip(kept)
      axes = kept.map {
        SweepAxis(
          path: $0.path, kind: .zip, values: $0.values.map(\.rawJSON), distribution: nil, source: "\($0.location)")
      }
    case .random(let samples, let seed, let parameters):
      let locations = Dictionary(
        (block["random"]?["parameters"]?.entries ?? []).map { ($0.key, $0.keyLocation) },
        uniquingKeysWith: { first, _ in first })
      let kept = parameters.filter { !overridden.contains(normalized($0.path)) }.map {
        (path: normalized($0.path), location: locations[$0.path] ?? block.location, distribution: $0.distribution)
      }
      strategy = kept.isEmpty ? .none : .random(samples: samples, seed: seed, kept)
      axes = kept.map {
        SweepAxis(
          path: $0.path, kind: .random, values: [], distribution: $0.distribution.summary, source: "\($0.location)")
      }
    }
  }

  /// Number of points (1 without a sweep block: the pipeline itself).
  var pointCount: Int {
    switch strategy {
    case .none: 1
    case .grid(let axes): axes.reduce(1) { product($0, $1.values.count) }
    case .zip(let axes): axes.first?.values.count ?? 1
    case .random(let samples, _, _): samples
    }
  }

  /// The overrides and assignments of point `point`.
  func assignments(point: Int) -> [(Override, SweepAssignment)] {
    func make(_ path: String, _ node: SpecNode, _ location: SourceLocation) -> (Override, SweepAssignment) {
      (
        Override(operation: .upsert, path: KeyPath.components(path), value: node, location: location),
        SweepAssignment(path: path, value: node.rawJSON, source: "\(location)")
      )
    }
    switch strategy {
    case .none:
      return []
    case .grid(let axes):
      var remainder = point
      var out: [(Override, SweepAssignment)] = []
      for axis in axes.reversed() {
        out.insert(make(axis.path, axis.values[remainder % axis.values.count], axis.location), at: 0)
        remainder /= axis.values.count
      }
      return out
    case .zip(let axes):
      return axes.map { make($0.path, $0.values[point], $0.location) }
    case .random(_, let seed, let parameters):
      return parameters.map { parameter in
        let value = parameter.distribution.draw(seed: seed, point: point, path: parameter.path)
        return make(parameter.path, SpecNode(json: value, at: parameter.location), parameter.location)
      }
    }
  }
}

extension SpecNode {
  /// A node holding `json`, every part at `location` (values drawn by a random sweep).
  init(json: CanonicalJSON, at location: SourceLocation) {
    switch json {
    case .null: self.init(.scalar(.null), at: location)
    case .bool(let b): self.init(.scalar(.bool(b)), at: location)
    case .number(let x):
      self.init(.scalar(x == x.rounded() && abs(x) < 0x1p53 ? .integer(Int(x)) : .number(x)), at: location)
    case .string(let s): self.init(.scalar(.string(s)), at: location)
    case .array(let items): self.init(.sequence(items.map { SpecNode(json: $0, at: location) }), at: location)
    case .object(let members):
      let entries = members.keys.sorted().map {
        Entry(key: $0, keyLocation: location, value: SpecNode(json: members[$0]!, at: location))
      }
      self.init(.mapping(entries), at: location)
    }
  }
}
