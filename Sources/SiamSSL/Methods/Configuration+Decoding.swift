import SiamNN
import SiamTensor

// Shared pieces of the method configurations: decoding with defaults, validation and
// building heads.

extension KeyedDecodingContainer {
  /// The value at `key`, or `defaultValue` when the key is absent (a partial pipeline
  /// spec falls back to the paper defaults).
  func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
    try decodeIfPresent(T.self, forKey: key) ?? defaultValue
  }
}

/// Throws `invalidConfiguration` for `key` unless `isValid`.
func require(_ isValid: Bool, _ key: String, _ message: @autoclosure () -> String) throws {
  if !isValid { throw SSLError(.invalidConfiguration, key: key, message()) }
}

/// Throws unless every width is positive.
func requirePositiveWidths(_ widths: [Int], _ key: String) throws {
  try require(widths.allSatisfy { $0 > 0 }, key, "widths must be positive, got \(widths)")
}

/// The keys the methods derive their random draws from, one per module.
enum MethodKey {
  static func encoder(_ key: RandomKey) -> RandomKey { key.folded(in: "encoder") }
  static func projector(_ key: RandomKey) -> RandomKey { key.folded(in: "projector") }
  static func predictor(_ key: RandomKey) -> RandomKey { key.folded(in: "predictor") }
  static func queue(_ key: RandomKey) -> RandomKey { key.folded(in: "queue") }
}
