/// Typed reads of a resolved (validated, defaults-filled) object.
///
/// The decoder has already checked every type and range, so a read that does not fit is
/// a programmer error and traps with the key and the value.
public struct ResolvedValues: Sendable, Hashable {
  public let members: [String: CanonicalJSON]

  public init(_ members: [String: CanonicalJSON]) {
    self.members = members
  }

  public init(_ json: CanonicalJSON) {
    guard case .object(let members) = json else { preconditionFailure("expected a resolved object, got \(json)") }
    self.members = members
  }

  public var json: CanonicalJSON { .object(members) }

  private func value(_ key: String) -> CanonicalJSON {
    guard let value = members[key] else {
      preconditionFailure("resolved object has no '\(key)': \(members.keys.sorted())")
    }
    return value
  }

  public func int(_ key: String) -> Int {
    guard let i = value(key).intValue else { preconditionFailure("'\(key)' is not an integer: \(value(key))") }
    return i
  }

  public func optionalInt(_ key: String) -> Int? { value(key).isNull ? nil : int(key) }

  public func double(_ key: String) -> Double {
    guard let x = value(key).doubleValue else { preconditionFailure("'\(key)' is not a number: \(value(key))") }
    return x
  }

  public func float(_ key: String) -> Float { Float(double(key)) }

  public func optionalFloat(_ key: String) -> Float? { value(key).isNull ? nil : float(key) }

  public func bool(_ key: String) -> Bool {
    guard let b = value(key).boolValue else { preconditionFailure("'\(key)' is not a boolean: \(value(key))") }
    return b
  }

  public func string(_ key: String) -> String {
    guard let s = value(key).stringValue else { preconditionFailure("'\(key)' is not a string: \(value(key))") }
    return s
  }

  public func optionalString(_ key: String) -> String? { value(key).isNull ? nil : string(key) }

  public func ints(_ key: String) -> [Int] {
    guard let items = value(key).arrayValue else { preconditionFailure("'\(key)' is not a list: \(value(key))") }
    return items.map { $0.intValue! }
  }

  public func floats(_ key: String) -> [Float] {
    guard let items = value(key).arrayValue else { preconditionFailure("'\(key)' is not a list: \(value(key))") }
    return items.map { Float($0.doubleValue!) }
  }

  public func strings(_ key: String) -> [String] {
    guard let items = value(key).arrayValue else { preconditionFailure("'\(key)' is not a list: \(value(key))") }
    return items.map { $0.stringValue! }
  }

  /// A `[low, high]` pair.
  public func range(_ key: String) -> ClosedRange<Float> {
    let pair = floats(key)
    precondition(pair.count == 2 && pair[0] <= pair[1], "'\(key)' is not a range: \(pair)")
    return pair[0]...pair[1]
  }

  public func optionalRange(_ key: String) -> ClosedRange<Float>? { value(key).isNull ? nil : range(key) }

  public func object(_ key: String) -> ResolvedValues { ResolvedValues(value(key)) }

  public func raw(_ key: String) -> CanonicalJSON { value(key) }
}
