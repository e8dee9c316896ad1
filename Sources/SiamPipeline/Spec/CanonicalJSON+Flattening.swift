extension CanonicalJSON {
  /// The leaves of this value under dotted keys, for the run store's parameter table:
  /// `{"method": {"temperature": 0.5}}` → `["method.temperature": 0.5]`; list items by
  /// index (`views.0.ops.1.horizontal_flip.p`). Empty objects and lists are leaves.
  ///
  /// - Parameter prefix: Prepended to every key (`stages.pretrain`).
  public func flattened(prefix: String = "") -> [String: CanonicalJSON] {
    var out: [String: CanonicalJSON] = [:]
    flatten(into: &out, path: prefix)
    return out
  }

  private func flatten(into out: inout [String: CanonicalJSON], path: String) {
    switch self {
    case .object(let members) where !members.isEmpty:
      for (key, value) in members { value.flatten(into: &out, path: KeyPath.appending(key, to: path)) }
    case .array(let items) where !items.isEmpty:
      for (index, item) in items.enumerated() { item.flatten(into: &out, path: KeyPath.appending(index, to: path)) }
    default:
      out[path] = self
    }
  }
}

extension CanonicalJSON: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  public init(nilLiteral: ()) { self = .null }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  public init(floatLiteral value: Double) { self = .number(value) }
  public init(stringLiteral value: String) { self = .string(value) }
  public init(arrayLiteral elements: CanonicalJSON...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, CanonicalJSON)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
  }
}
