/// A Hydra-style command-line override: `key.path=value` (set; the key's parent must
/// exist), `+key.path=value` (add; creates missing mappings, the key must not exist yet),
/// `~key.path` (delete; the key must exist). Values are YAML (`0.2`, `true`, `[1, 2]`,
/// `{type: sgd}`); list items are addressed by index (`stages.pretrain.views.0=view2`).
///
/// Positions of problems in an override read `--set[i]:1:column`, `i` counting from 1.
struct Override {
  enum Operation: Sendable {
    /// `key=value`: the parent must exist.
    case set
    /// `+key=value`: the key must not exist; missing mappings are created.
    case add
    /// `~key`: the key must exist.
    case delete
    /// A sweep's value: replaces the key or creates it and any missing mappings.
    case upsert
  }

  var operation: Operation
  var path: [String]
  var value: SpecNode?
  /// Where the key path starts.
  var location: SourceLocation

  var dottedPath: String { path.joined(separator: ".") }

  /// Parses the `index`-th override (0-based).
  static func parse(_ text: String, index: Int) throws(PipelineError) -> Override {
    let file = "--set[\(index + 1)]"
    let rank = 1_000_000 + index
    var body = Substring(text)
    var operation = Operation.set
    if body.hasPrefix("+") {
      operation = .add
      body = body.dropFirst()
    } else if body.hasPrefix("~") {
      operation = .delete
      body = body.dropFirst()
    }
    let keyColumn = text.count - body.count + 1
    let location = SourceLocation(file: file, line: 1, column: keyColumn, fileRank: rank)
    let equals = body.firstIndex(of: "=")
    let key = String(body[..<(equals ?? body.endIndex)])
    let path = KeyPath.components(key)
    guard !path.isEmpty, !key.hasPrefix("."), !key.hasSuffix("."), !key.contains("..") else {
      throw PipelineError(
        .override, at: location, "expected KEY.PATH=VALUE, +KEY.PATH=VALUE or ~KEY.PATH, found '\(text)'")
    }
    guard let equals else {
      if operation == .delete { return Override(operation: .delete, path: path, value: nil, location: location) }
      throw PipelineError(
        .override, at: location, keyPath: key, "expected '=' and a value (or ~\(key) to delete the key)")
    }
    if operation == .delete {
      throw PipelineError(.override, at: location, keyPath: key, "a deletion (~) takes no value")
    }
    let valueText = String(body[body.index(after: equals)...])
    let valueColumn = keyColumn + body.distance(from: body.startIndex, to: equals) + 1
    let parsed: SpecNode?
    do {
      parsed = try SpecNode.parse(yaml: valueText, file: file, fileRank: rank)
    } catch {
      // Positions past line 1 (an unclosed bracket is found at the end) map to the end of the override.
      throw PipelineError(
        error.diagnostics.map { d in
          var d = d
          d.location = SourceLocation(
            file: file, line: 1,
            column: d.location.line == 1 ? d.location.column + valueColumn - 1 : text.count + 1, fileRank: rank)
          return d
        })
    }
    var value = parsed ?? SpecNode(.scalar(.null), at: location)
    value.shift(line1By: valueColumn - 1, file: file, rank: rank)
    return Override(operation: operation, path: path, value: value, location: location)
  }

  /// Applies the override to `root`.
  func apply(to root: inout SpecNode) throws(PipelineError) {
    try apply(to: &root, at: 0)
  }

  private func apply(to node: inout SpecNode, at depth: Int) throws(PipelineError) {
    let key = path[depth]
    let prefix = path[...depth].joined(separator: ".")
    let isLast = depth == path.count - 1
    if var items = node.items {
      guard let index = Int(key), items.indices.contains(index) else {
        throw PipelineError(
          .override, at: location, keyPath: prefix,
          "expected an index into a list of \(items.count) item\(items.count == 1 ? "" : "s"), found '\(key)'")
      }
      if isLast {
        switch operation {
        case .delete: items.remove(at: index)
        case .add:
          throw PipelineError(
            .override, at: location, keyPath: prefix, "already set; use \(dottedPath)=VALUE to replace it")
        case .set, .upsert: items[index] = value!
        }
      } else {
        try apply(to: &items[index], at: depth + 1)
      }
      node.value = .sequence(items)
      return
    }
    let creates = operation == .add || operation == .upsert
    guard var entries = node.entries ?? (creates && node.scalar == .null ? [] : nil) else {
      throw PipelineError(
        .override, at: location, keyPath: path[..<depth].joined(separator: "."),
        "expected a mapping or a list to hold '\(key)', found \(node.foundDescription)")
    }
    if let index = entries.firstIndex(where: { $0.key == key }) {
      if isLast {
        switch operation {
        case .delete: entries.remove(at: index)
        case .add:
          throw PipelineError(
            .override, at: location, keyPath: prefix, "already set; use \(dottedPath)=VALUE to replace it")
        case .set, .upsert: entries[index].value = value!
        }
      } else {
        try apply(to: &entries[index].value, at: depth + 1)
      }
    } else if isLast && operation != .delete || creates && depth >= 2 || operation == .add {
      var child = isLast ? value! : SpecNode(.mapping([]), at: location)
      if !isLast { try apply(to: &child, at: depth + 1) }
      entries.append(SpecNode.Entry(key: key, keyLocation: location, value: child))
    } else {
      let hint = operation == .set ? " (prefix the override with + to add it)" : ""
      throw PipelineError([
        Diagnostic(
          .override, at: location, keyPath: prefix, "no such key\(hint)",
          suggestion: Suggestion.nearest(to: key, in: entries.map(\.key)))
      ])
    }
    node.value = .mapping(entries)
  }
}

extension SpecNode {
  /// Moves nodes on line 1 right by `offset` columns and renames their file (values of
  /// overrides are parsed on their own, then placed where they sit in the override).
  mutating func shift(line1By offset: Int, file: String, rank: Int) {
    func moved(_ l: SourceLocation) -> SourceLocation {
      SourceLocation(file: file, line: l.line, column: l.line == 1 ? l.column + offset : l.column, fileRank: rank)
    }
    location = moved(location)
    switch value {
    case .scalar: break
    case .sequence(var items):
      for i in items.indices { items[i].shift(line1By: offset, file: file, rank: rank) }
      value = .sequence(items)
    case .mapping(var entries):
      for i in entries.indices {
        entries[i].keyLocation = moved(entries[i].keyLocation)
        entries[i].value.shift(line1By: offset, file: file, rank: rank)
      }
      value = .mapping(entries)
    }
  }
}
