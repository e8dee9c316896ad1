extension SweepSpec {
  /// A value a sweep may set, to be validated as an override of `path`.
  struct Trial {
    var path: String
    var pathLocation: SourceLocation
    var value: SpecNode
  }

  static let strategies = ["grid", "zip", "random"]
  static let distributions = ["uniform", "log_uniform", "int_uniform", "choice"]

  /// Decodes a `sweep:` block, reporting structural problems; the returned trials are the
  /// values to check against the pipeline.
  static func decode(_ node: SpecNode, _ d: inout ShapeDecoder) -> (SweepSpec, [Trial])? {
    let path = "sweep"
    guard let entries = node.entries else {
      d.mismatch(node, path, expected: "a mapping")
      return nil
    }
    for entry in entries where !strategies.contains(entry.key) {
      d.report(
        .unknownKey, at: entry.keyLocation, KeyPath.appending(entry.key, to: path), "unknown key",
        suggestion: Suggestion.nearest(to: entry.key, in: strategies))
    }
    let given = entries.filter { strategies.contains($0.key) }
    guard given.count == 1, let entry = given.first else {
      d.report(
        .invalidValue, at: node.location, path,
        "expected exactly one of 'grid', 'zip', 'random', found \(given.isEmpty ? "none" : given.map { "'\($0.key)'" }.joined(separator: ", "))"
      )
      return nil
    }
    let strategyPath = KeyPath.appending(entry.key, to: path)
    switch entry.key {
    case "grid", "zip":
      guard let axesEntries = entry.value.entries, !axesEntries.isEmpty else {
        d.mismatch(entry.value, strategyPath, expected: "a non-empty mapping from key paths to lists of values")
        return nil
      }
      var axes: [(path: String, values: [CanonicalJSON])] = []
      var trials: [Trial] = []
      for axis in axesEntries {
        let axisPath = KeyPath.appending(axis.key, to: strategyPath)
        guard let items = axis.value.items, !items.isEmpty else {
          d.mismatch(axis.value, axisPath, expected: "a non-empty list of values")
          continue
        }
        axes.append((axis.key, items.map(\.rawJSON)))
        trials += items.map { Trial(path: axis.key, pathLocation: axis.keyLocation, value: $0) }
      }
      guard axes.count == axesEntries.count else { return nil }
      if entry.key == "zip", Set(axes.map(\.values.count)).count > 1 {
        d.report(
          .invalidValue, at: entry.value.location, strategyPath,
          "expected lists of one length, found lengths \(axes.map { String($0.values.count) }.joined(separator: ", "))")
        return nil
      }
      return (SweepSpec(strategy: entry.key == "grid" ? .grid(axes) : .zip(axes)), trials)
    default:
      return decodeRandom(entry.value, path: strategyPath, &d)
    }
  }

  private static func decodeRandom(_ node: SpecNode, path: String, _ d: inout ShapeDecoder) -> (SweepSpec, [Trial])? {
    let shape = ParameterShape.ObjectShape([
      .init("samples", .integer(.within(1, Double(Sweep.maximumPoints))), .required, ""),
      .init("seed", .integer(.nonNegative), .defaultValue(0), ""),
    ])
    let values = d.decodeObject(node, shape, path: path, extraKeys: ["parameters"])
    guard let parametersNode = node["parameters"] else {
      d.report(.missingKey, at: node.location, path, "missing required key 'parameters'")
      return nil
    }
    let parametersPath = KeyPath.appending("parameters", to: path)
    guard let entries = parametersNode.entries, !entries.isEmpty else {
      d.mismatch(parametersNode, parametersPath, expected: "a non-empty mapping from key paths to distributions")
      return nil
    }
    var parameters: [(path: String, distribution: Distribution)] = []
    var trials: [Trial] = []
    for entry in entries {
      let entryPath = KeyPath.appending(entry.key, to: parametersPath)
      guard let body = entry.value.entries, body.count == 1, let dist = body.first else {
        d.mismatch(entry.value, entryPath, expected: "a one-key mapping {distribution: [values]}")
        continue
      }
      let distPath = KeyPath.appending(dist.key, to: entryPath)
      guard distributions.contains(dist.key) else {
        d.report(
          .invalidValue, at: dist.keyLocation, entryPath,
          "unknown distribution '\(dist.key)' (expected one of 'uniform', 'log_uniform', 'int_uniform', 'choice')",
          suggestion: Suggestion.nearest(to: dist.key, in: distributions))
        continue
      }
      let distribution: Distribution
      switch dist.key {
      case "choice":
        guard let items = dist.value.items, !items.isEmpty else {
          d.mismatch(dist.value, distPath, expected: "a non-empty list of values")
          continue
        }
        distribution = .choice(items.map(\.rawJSON))
        trials += items.map { Trial(path: entry.key, pathLocation: entry.keyLocation, value: $0) }
      case "int_uniform":
        guard
          let pair = d.decode(dist.value, as: .list(.integer(), minCount: 2, maxCount: 2), path: distPath)?.arrayValue
        else { continue }
        let (low, high) = (pair[0].intValue!, pair[1].intValue!)
        guard low <= high else {
          d.outOfRange(dist.value, distPath, expected: "low ≤ high")
          continue
        }
        guard low >= -(1 << 53), high <= 1 << 53 else {
          d.outOfRange(dist.value, distPath, expected: "integers within ±2^53")
          continue
        }
        distribution = .intUniform(low, high)
        trials += dist.value.items!.map { Trial(path: entry.key, pathLocation: entry.keyLocation, value: $0) }
      default:
        let isLog = dist.key == "log_uniform"
        guard let pair = d.decode(dist.value, as: .range(isLog ? .positive : .none), path: distPath)?.arrayValue else {
          continue
        }
        let (low, high) = (pair[0].doubleValue!, pair[1].doubleValue!)
        distribution = isLog ? .logUniform(low, high) : .uniform(low, high)
        trials += dist.value.items!.map { Trial(path: entry.key, pathLocation: entry.keyLocation, value: $0) }
      }
      parameters.append((entry.key, distribution))
    }
    guard let values, parameters.count == entries.count else { return nil }
    let r = ResolvedValues(values)
    return (
      SweepSpec(strategy: .random(samples: r.int("samples"), seed: r.int("seed"), parameters: parameters)), trials
    )
  }
}

extension SpecNode {
  /// The value as written, as JSON (non-finite numbers become null; the decoder rejects
  /// them where they matter).
  var rawJSON: CanonicalJSON {
    switch value {
    case .scalar(.null): return .null
    case .scalar(.bool(let b)): return .bool(b)
    case .scalar(.integer(let i)): return .number(i)
    case .scalar(.number(let x)): return x.isFinite ? .number(x) : .null
    case .scalar(.string(let s)): return .string(s)
    case .sequence(let items): return .array(items.map(\.rawJSON))
    case .mapping(let entries):
      return .object(Dictionary(entries.map { ($0.key, $0.value.rawJSON) }, uniquingKeysWith: { _, last in last }))
    }
  }
}
