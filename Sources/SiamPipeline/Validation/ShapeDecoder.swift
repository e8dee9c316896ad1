/// Checks nodes against `ParameterShape`s, collecting every problem, and produces the
/// resolved value (defaults filled in, references replaced by what they name).
struct ShapeDecoder {
  typealias Shape = ParameterShape

  /// Everything found so far.
  var diagnostics: [Diagnostic] = []
  /// Resolved definitions by kind and name (`augmentations`, `encoders`).
  var definitions: [Shape.ReferenceKind: [String: CanonicalJSON]] = [:]
  /// Definitions some value referred to, as `kind/name`.
  var usedDefinitions: Set<String> = []
  /// Definitions that are written but invalid, as `kind/name`: references to them are not
  /// reported again.
  var invalidDefinitions: Set<String> = []

  // MARK: - Reporting

  mutating func report(
    _ code: Diagnostic.Code, at location: SourceLocation, _ path: String, _ message: String,
    suggestion: String? = nil
  ) {
    diagnostics.append(Diagnostic(code, at: location, keyPath: path, message, suggestion: suggestion))
  }

  mutating func mismatch(_ node: SpecNode, _ path: String, expected: String) {
    report(.typeMismatch, at: node.location, path, "expected \(expected), found \(node.foundDescription)")
  }

  mutating func outOfRange(_ node: SpecNode, _ path: String, expected: String) {
    report(.invalidValue, at: node.location, path, "expected \(expected), found \(node.foundDescription)")
  }

  // MARK: - Decoding

  /// The resolved value of `node`, or `nil` after reporting why it does not fit `shape`.
  mutating func decode(_ node: SpecNode, as shape: Shape, path: String) -> CanonicalJSON? {
    switch shape {
    case .integer(let bounds):
      let value: Double
      switch node.scalar {
      case .integer(let i)?: value = Double(i)
      case .number(let x)? where x.isFinite && x.rounded() == x: value = x
      default:
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      guard bounds.contains(value) else {
        outOfRange(node, path, expected: shape.expectedDescription)
        return nil
      }
      // Integers travel as doubles: beyond 2^53 they are no longer exact, and near
      // Int.max they cannot be read back as an Int.
      guard abs(value) <= ParameterShape.largestExactInteger else {
        outOfRange(node, path, expected: "\(shape.expectedDescription) and at most 2^53 in magnitude")
        return nil
      }
      return .number(value)
    case .number(let bounds):
      let value: Double
      switch node.scalar {
      case .integer(let i)?: value = Double(i)
      case .number(let x)?: value = x
      default:
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      guard value.isFinite else {
        outOfRange(node, path, expected: "a finite number")
        return nil
      }
      guard bounds.contains(value) else {
        outOfRange(node, path, expected: shape.expectedDescription)
        return nil
      }
      return .number(value)
    case .boolean:
      guard case .bool(let b)? = node.scalar else {
        mismatch(node, path, expected: "a boolean")
        return nil
      }
      return .bool(b)
    case .string(let nonEmpty):
      guard let s = node.string else {
        mismatch(node, path, expected: "a string")
        return nil
      }
      if nonEmpty && s.isEmpty {
        outOfRange(node, path, expected: "a non-empty string")
        return nil
      }
      return .string(s)
    case .enumeration(let names):
      guard let s = node.string else {
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      guard names.contains(s) else {
        report(
          .invalidValue, at: node.location, path, "expected \(shape.expectedDescription), found '\(s)'",
          suggestion: Suggestion.nearest(to: s, in: names))
        return nil
      }
      return .string(s)
    case .list(let item, let minCount, let maxCount):
      guard let items = node.items else {
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      if items.count < minCount || maxCount.map({ items.count > $0 }) == true {
        let count =
          minCount == maxCount
          ? "exactly \(minCount)" : maxCount.map { "\(minCount) to \($0)" } ?? "at least \(minCount)"
        report(
          .invalidValue, at: node.location, path,
          "expected \(count) item\(minCount == 1 && maxCount == 1 ? "" : "s"), found \(items.count)")
        return nil
      }
      var values: [CanonicalJSON] = []
      var isValid = true
      for (index, itemNode) in items.enumerated() {
        if let v = decode(itemNode, as: item, path: KeyPath.appending(index, to: path)) {
          values.append(v)
        } else {
          isValid = false
        }
      }
      return isValid ? .array(values) : nil
    case .range(let bounds):
      guard let items = node.items, items.count == 2 else {
        if let items = node.items {
          report(
            .invalidValue, at: node.location, path,
            "expected \(shape.expectedDescription), found a list of \(items.count)")
        } else {
          mismatch(node, path, expected: shape.expectedDescription)
        }
        return nil
      }
      let low = decode(items[0], as: .number(bounds), path: KeyPath.appending(0, to: path))
      let high = decode(items[1], as: .number(bounds), path: KeyPath.appending(1, to: path))
      guard let low, let high else { return nil }
      guard low.doubleValue! <= high.doubleValue! else {
        report(
          .invalidValue, at: node.location, path,
          "expected low ≤ high, found [\(CanonicalJSON.format(low.doubleValue!)), \(CanonicalJSON.format(high.doubleValue!))]"
        )
        return nil
      }
      return .array([low, high])
    case .object(let object):
      return decodeObject(node, object, path: path).map(CanonicalJSON.object)
    case .union(let union):
      return decodeUnion(node, union, path: path).map(CanonicalJSON.object)
    case .singleKey(let variants):
      return decodeSingleKey(node, variants, shape: shape, path: path)
    case .alternatives(let shapes):
      guard let chosen = shapes.first(where: { $0.accepts(node) }) else {
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      return decode(node, as: chosen, path: path)
    case .reference(let kind):
      guard let name = node.string else {
        mismatch(node, path, expected: shape.expectedDescription)
        return nil
      }
      let defined = definitions[kind] ?? [:]
      if invalidDefinitions.contains("\(kind.rawValue)/\(name)") { return nil }
      guard let value = defined[name] else {
        let message =
          defined.isEmpty
          ? "unknown \(kind.noun) '\(name)' (none is defined under '\(kind.section)')"
          : "unknown \(kind.noun) '\(name)'"
        report(
          .unknownReference, at: node.location, path, message,
          suggestion: Suggestion.nearest(to: name, in: defined.keys))
        return nil
      }
      usedDefinitions.insert("\(kind.rawValue)/\(name)")
      return value
    case .nullable(let inner):
      if case .null? = node.scalar { return .null }
      return decode(node, as: inner, path: path)
    case .named(_, let inner):
      return decode(node, as: inner, path: path)
    }
  }

  /// The resolved members of a mapping: every field of `object`, defaults filled in.
  ///
  /// - Parameter extraKeys: Keys that are allowed but decoded elsewhere (`kind`, `needs`).
  mutating func decodeObject(
    _ node: SpecNode, _ object: Shape.ObjectShape, path: String, extraKeys: [String] = []
  ) -> [String: CanonicalJSON]? {
    guard let entries = node.entries else {
      mismatch(node, path, expected: "a mapping")
      return nil
    }
    var resolved: [String: CanonicalJSON] = [:]
    var isValid = true
    let known = object.keys + extraKeys
    var suggested: Set<String> = []
    for entry in entries {
      let entryPath = KeyPath.appending(entry.key, to: path)
      guard let field = object.fields.first(where: { $0.name == entry.key }) else {
        if !extraKeys.contains(entry.key) {
          let suggestion =
            Suggestion.nearest(to: entry.key, in: known.filter { node[$0] == nil })
            ?? Suggestion.nearest(to: entry.key, in: known)
          if let suggestion { suggested.insert(suggestion) }
          report(.unknownKey, at: entry.keyLocation, entryPath, "unknown key", suggestion: suggestion)
          isValid = false
        }
        continue
      }
      if let value = decode(entry.value, as: field.shape, path: entryPath) {
        resolved[field.name] = value
      } else {
        isValid = false
      }
    }
    for field in object.fields where node[field.name] == nil {
      switch field.requirement {
      case .required:
        // A misspelt key already says "did you mean '<field>'?"; its absence is the same error.
        if !suggested.contains(field.name) {
          report(.missingKey, at: node.location, path, "missing required key '\(field.name)'")
        }
        isValid = false
      case .optional: resolved[field.name] = .null
      case .defaultValue(let value): resolved[field.name] = value
      case .implied:
        let empty = SpecNode(.mapping([]), at: node.location)
        if let value = decode(empty, as: field.shape, path: KeyPath.appending(field.name, to: path)) {
          resolved[field.name] = value
        } else {
          isValid = false
        }
      }
    }
    guard isValid else { return nil }
    let problems = object.check?(resolved) ?? []
    for problem in problems {
      let entry = problem.key.flatMap { node.entry($0) }
      report(
        .invalidValue, at: entry?.value.location ?? node.location,
        problem.key.map { KeyPath.appending($0, to: path) } ?? path, problem.message)
    }
    return problems.isEmpty ? resolved : nil
  }

  /// The resolved members of a discriminated mapping, including the discriminator.
  mutating func decodeUnion(
    _ node: SpecNode, _ union: Shape.UnionShape, path: String, extraKeys: [String] = []
  ) -> [String: CanonicalJSON]? {
    guard node.entries != nil else {
      mismatch(node, path, expected: "a mapping")
      return nil
    }
    let names = union.variants.map(\.name)
    let name: String
    if let tagNode = node[union.discriminator] {
      guard decode(tagNode, as: .enumeration(names), path: KeyPath.appending(union.discriminator, to: path)) != nil
      else {
        return nil
      }
      name = tagNode.string!
    } else if let fallback = union.defaultVariant {
      name = fallback
    } else {
      report(
        .missingKey, at: node.location, path,
        "missing required key '\(union.discriminator)' (one of \(names.map { "'\($0)'" }.joined(separator: ", ")))")
      return nil
    }
    let variant = union.variants.first { $0.name == name }!
    var resolved = decodeObject(node, variant.object, path: path, extraKeys: [union.discriminator] + extraKeys)
    resolved?[union.discriminator] = .string(name)
    return resolved
  }

  private mutating func decodeSingleKey(
    _ node: SpecNode, _ variants: [Shape.Variant], shape: Shape, path: String
  ) -> CanonicalJSON? {
    let names = variants.map(\.name)
    let name: String
    let nameLocation: SourceLocation
    let body: SpecNode
    if let s = node.string {
      (name, nameLocation, body) = (s, node.location, SpecNode(.mapping([]), at: node.location))
    } else if let entries = node.entries, entries.count == 1 {
      let entry = entries[0]
      (name, nameLocation) = (entry.key, entry.keyLocation)
      body = entry.value.scalar == .null ? SpecNode(.mapping([]), at: entry.value.location) : entry.value
    } else if let entries = node.entries {
      report(
        .invalidValue, at: node.location, path,
        "expected a one-key mapping {op: {parameters}}, found a mapping with \(entries.count) keys")
      return nil
    } else {
      mismatch(node, path, expected: shape.expectedDescription)
      return nil
    }
    guard let variant = variants.first(where: { $0.name == name }) else {
      report(
        .invalidValue, at: nameLocation, path, "unknown op '\(name)'",
        suggestion: Suggestion.nearest(to: name, in: names))
      return nil
    }
    return decodeObject(body, variant.object, path: KeyPath.appending(name, to: path)).map {
      .object([name: .object($0)])
    }
  }
}

extension ParameterShape {
  /// Whether the node's kind (scalar, mapping, list) fits this shape, for `alternatives`.
  func accepts(_ node: SpecNode) -> Bool {
    switch (self, node.value) {
    case (.nullable(let inner), _): return node.scalar == .null || inner.accepts(node)
    case (.named(_, let inner), _): return inner.accepts(node)
    case (.alternatives(let shapes), _): return shapes.contains { $0.accepts(node) }
    case (.object, .mapping), (.union, .mapping), (.singleKey, .mapping): return true
    case (.list, .sequence), (.range, .sequence): return true
    case (.integer, .scalar(.integer)), (.integer, .scalar(.number)), (.number, .scalar(.integer)),
      (.number, .scalar(.number)), (.boolean, .scalar(.bool)):
      return true
    case (.string, .scalar(.string)), (.enumeration, .scalar(.string)), (.reference, .scalar(.string)),
      (.singleKey, .scalar(.string)):
      return true
    default: return false
    }
  }
}
