/// A YAML value with the position of every node: the tree the loader builds from Yams's
/// nodes, merges includes into, applies overrides to, and the decoder reads.
///
/// Aliases are already expanded and merge keys (`<<`) already applied: a node reached
/// through an alias keeps the position of its anchor's definition.
struct SpecNode: Sendable {
  /// A scalar with its YAML type resolved (core schema, as Yams resolves plain scalars;
  /// quoted scalars are always strings).
  enum Scalar: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
  }

  /// One `key: value` pair of a mapping.
  struct Entry: Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: SpecNode
  }

  enum Value: Sendable {
    case scalar(Scalar)
    case mapping([Entry])
    case sequence([SpecNode])
  }

  var value: Value
  var location: SourceLocation

  init(_ value: Value, at location: SourceLocation) {
    self.value = value
    self.location = location
  }

  // MARK: - Access

  var entries: [Entry]? {
    if case .mapping(let entries) = value { return entries }
    return nil
  }

  var items: [SpecNode]? {
    if case .sequence(let items) = value { return items }
    return nil
  }

  var scalar: Scalar? {
    if case .scalar(let scalar) = value { return scalar }
    return nil
  }

  var string: String? {
    if case .scalar(.string(let s)) = value { return s }
    return nil
  }

  /// The value of `key` in a mapping.
  subscript(key: String) -> SpecNode? {
    entries?.first { $0.key == key }?.value
  }

  /// The entry of `key` in a mapping.
  func entry(_ key: String) -> Entry? {
    entries?.first { $0.key == key }
  }

  /// How the value reads in "found …" of a diagnostic: `integer 5`, `string 'abc'`,
  /// `a mapping`.
  var foundDescription: String {
    switch value {
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .scalar(let scalar):
      switch scalar {
      case .null: return "null"
      case .bool(let b): return "boolean \(b)"
      case .integer(let i): return "integer \(i)"
      case .number(let x): return "number \(x)"
      case .string(let s): return "string '\(s)'"
      }
    }
  }

  // MARK: - Merging

  /// `overlay` merged onto `self`: mappings merge key by key, recursively (keys of
  /// `overlay` win and keep their position; new keys are appended in `overlay`'s order);
  /// anything else is replaced by `overlay`.
  func merged(with overlay: SpecNode) -> SpecNode {
    guard var base = entries, let top = overlay.entries else { return overlay }
    for entry in top {
      if let index = base.firstIndex(where: { $0.key == entry.key }) {
        base[index].value = base[index].value.merged(with: entry.value)
        base[index].keyLocation = entry.keyLocation
      } else {
        base.append(entry)
      }
    }
    return SpecNode(.mapping(base), at: overlay.location)
  }
}
