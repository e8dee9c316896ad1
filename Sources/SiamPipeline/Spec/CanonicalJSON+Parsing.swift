import Foundation

extension CanonicalJSON: Decodable {
  /// Reads any JSON value; numbers are read as `Double` (exactly, for the shortest
  /// round-tripping form that `canonicalString` and `prettyPrinted()` write).
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if container.decodeNil() {
      self = .null
    } else if let b = try? container.decode(Bool.self) {
      self = .bool(b)
    } else if let x = try? container.decode(Double.self) {
      self = .number(x)
    } else if let s = try? container.decode(String.self) {
      self = .string(s)
    } else if let items = try? container.decode([CanonicalJSON].self) {
      self = .array(items)
    } else {
      self = .object(try container.decode([String: CanonicalJSON].self))
    }
  }

  /// The JSON text in `data`.
  ///
  /// - Throws: The decoder's error for text that is not JSON.
  public static func parse(_ data: Data) throws -> CanonicalJSON {
    try JSONDecoder().decode(CanonicalJSON.self, from: data)
  }
}

extension CanonicalJSON: Encodable {
  /// Writes the value as the JSON it is (key order is the encoder's).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .null: try container.encodeNil()
    case .bool(let b): try container.encode(b)
    case .number(let x): try container.encode(x)
    case .string(let s): try container.encode(s)
    case .array(let items): try container.encode(items)
    case .object(let members): try container.encode(members)
    }
  }
}
