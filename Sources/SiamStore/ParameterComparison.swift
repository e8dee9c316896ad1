import Foundation

/// The parameters of several runs side by side: which keys differ, their plain values,
/// and mean ± standard deviation of groups of values.
///
/// `siam compare` and `siam report` share it: a key differs when its JSON text (or its
/// presence) is not the same in every run.
public struct ParameterComparison: Sendable {
  /// Per run: dotted key → JSON text.
  public var params: [[String: String]]

  public init(params: [[String: String]]) {
    self.params = params
  }

  /// Keys whose values (or presence) are not the same in every run, sorted.
  public func differingKeys(excluding excluded: Set<String> = []) -> [String] {
    let keys = Set(params.flatMap(\.keys)).subtracting(excluded)
    return keys.filter { key in Set(params.map { $0[key] ?? "\u{0}" }).count > 1 }.sorted()
  }

  /// JSON text as a person reads it: strings unquoted, everything else as written.
  public static func plain(_ json: String) -> String {
    if json.count >= 2, json.hasPrefix("\""), json.hasSuffix("\""), !json.contains("\\") {
      return String(json.dropFirst().dropLast())
    }
    return json
  }

  /// The last two components of a dotted key (`stages.pretrain.method.temperature` →
  /// `method.temperature`), the key itself when shorter.
  public static func shortKey(_ key: String) -> String {
    let parts = key.split(separator: ".")
    return parts.count <= 2 ? key : parts.suffix(2).joined(separator: ".")
  }

  /// Mean and sample standard deviation (0 for one value); nil for none.
  public static func meanAndDeviation(_ values: [Double]) -> (mean: Double, deviation: Double)? {
    guard !values.isEmpty else { return nil }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance =
      values.count > 1
      ? values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1) : 0
    return (mean, variance.squareRoot())
  }
}
