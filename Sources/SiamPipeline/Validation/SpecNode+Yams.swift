import Yams

extension SpecNode {
  /// Parses one YAML document into a node tree.
  ///
  /// - Parameters:
  ///   - text: The YAML text.
  ///   - file: The name diagnostics give the file.
  ///   - fileRank: Its rank among the sources of this load (diagnostics sort by it).
  /// - Returns: The root, or `nil` for an empty document.
  /// - Throws: `PipelineError` with the position of a syntax error, of a duplicate key
  ///   or of a bad merge key.
  static func parse(yaml text: String, file: String, fileRank: Int) throws(PipelineError) -> SpecNode? {
    let root: Node?
    do {
      root = try Yams.compose(yaml: text)
    } catch let error as YamlError {
      throw PipelineError(.syntax, at: location(of: error, file: file, fileRank: fileRank), message(of: error))
    } catch {
      throw PipelineError(.syntax, at: SourceLocation(file: file, line: 1, column: 1, fileRank: fileRank), "\(error)")
    }
    guard let root else { return nil }
    var diagnostics: [Diagnostic] = []
    var budget = maximumNodes
    let node = convert(root, file: file, fileRank: fileRank, path: "", diagnostics: &diagnostics, budget: &budget)
    if !diagnostics.isEmpty { throw PipelineError(diagnostics) }
    return node
  }

  /// Most nodes a document may expand to, aliases and merge keys expanded: a few
  /// thousand is a large pipeline; an alias bomb ("billion laughs") stops here.
  static let maximumNodes = 100_000

  private static func convert(
    _ node: Node, file: String, fileRank: Int, path: String, diagnostics: inout [Diagnostic], budget: inout Int
  ) -> SpecNode {
    let (line, column) = node.mark.map { ($0.line, $0.column) } ?? (1, 1)
    let here = SourceLocation(file: file, line: line, column: column, fileRank: fileRank)
    budget -= 1
    if budget < 0 {
      if budget == -1 {
        diagnostics.append(
          Diagnostic(
            .invalidValue, at: here, keyPath: path,
            "the document expands to more than \(maximumNodes) values (through aliases or merge keys, here at the latest); "
              + "a pipeline file this large is refused"))
      }
      return SpecNode(.scalar(.null), at: here)
    }
    switch node {
    case .scalar(let scalar):
      return SpecNode(.scalar(resolve(scalar, node: node)), at: here)
    case .alias:
      return SpecNode(.scalar(.null), at: here)
    case .sequence(let sequence):
      let items = sequence.enumerated().map { index, item in
        convert(
          item, file: file, fileRank: fileRank, path: KeyPath.appending(index, to: path), diagnostics: &diagnostics,
          budget: &budget)
      }
      return SpecNode(.sequence(items), at: here)
    case .mapping(let mapping):
      var merged: [Entry] = []
      var explicit: [Entry] = []
      for (keyNode, valueNode) in mapping {
        let keyLocation =
          keyNode.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column, fileRank: fileRank) } ?? here
        guard case .scalar(let keyScalar) = keyNode else {
          diagnostics.append(
            Diagnostic(
              .typeMismatch, at: keyLocation, keyPath: path,
              "expected a string key, found a \(keyNode.mapping != nil ? "mapping" : "list")"))
          continue
        }
        if keyScalar.style == .plain && Resolver.default.resolveTag(of: keyNode) == .merge {
          let sources = valueNode.mapping != nil ? [valueNode] : (valueNode.sequence.map { Array($0) } ?? [])
          if sources.isEmpty || sources.contains(where: { $0.mapping == nil }) {
            diagnostics.append(
              Diagnostic(
                .typeMismatch, at: keyLocation, keyPath: KeyPath.appending("<<", to: path),
                "expected a mapping or a list of mappings to merge, found \(describe(valueNode))"))
            continue
          }
          // YAML merge: earlier mappings in the list win over later ones; explicit keys win over all.
          for source in sources.reversed() {
            let converted = convert(
              source, file: file, fileRank: fileRank, path: path, diagnostics: &diagnostics, budget: &budget)
            for entry in converted.entries ?? [] {
              merged.removeAll { $0.key == entry.key }
              merged.append(entry)
            }
          }
          continue
        }
        let key = keyScalar.string
        let value = convert(
          valueNode, file: file, fileRank: fileRank, path: KeyPath.appending(key, to: path), diagnostics: &diagnostics,
          budget: &budget)
        explicit.append(Entry(key: key, keyLocation: keyLocation, value: value))
      }
      let explicitKeys = Set(explicit.map(\.key))
      let entries = merged.filter { !explicitKeys.contains($0.key) } + explicit
      return SpecNode(.mapping(entries), at: here)
    }
  }

  private static func describe(_ node: Node) -> String {
    switch node {
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .scalar(let s): "'\(s.string)'"
    case .alias: "an alias"
    }
  }

  private static func resolve(_ scalar: Node.Scalar, node: Node) -> Scalar {
    guard scalar.style == .plain else { return .string(scalar.string) }
    switch Resolver.default.resolveTag(of: node) {
    case .null: return .null
    case .bool: return node.bool.map(Scalar.bool) ?? .string(scalar.string)
    case .int: return node.int.map(Scalar.integer) ?? .string(scalar.string)
    case .float: return node.float.map(Scalar.number) ?? .string(scalar.string)
    default: return .string(scalar.string)
    }
  }

  private static func location(of error: YamlError, file: String, fileRank: Int) -> SourceLocation {
    let mark: Mark?
    switch error {
    case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): mark = m
    case .duplicatedKeysInMapping(_, let context): mark = context.mark
    default: mark = nil
    }
    return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, fileRank: fileRank)
  }

  private static func message(of error: YamlError) -> String {
    switch error {
    case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
      .composer(let context, let problem, _, _):
      let prefix = context.map { "\($0.text) " } ?? ""
      return "invalid YAML: \(prefix)\(problem)"
    case .duplicatedKeysInMapping(let duplicates, _):
      return "duplicate key\(duplicates.count > 1 ? "s" : "") \(duplicates.map { "'\($0)'" }.joined(separator: ", "))"
    case .reader(let problem, _, _, _):
      return "unreadable YAML: \(problem)"
    default:
      return "invalid YAML: \(error)"
    }
  }
}
