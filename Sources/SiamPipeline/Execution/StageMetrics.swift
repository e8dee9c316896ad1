/// One final metric of a stage: what was measured (`key`), under which protocol
/// (`context`: the kNN's `k` and temperature, the split, ...) and its value. The run store
/// records the three as they are (`metric.key`, `metric.context`, `metric.value`).
public struct StageMetric: Sendable, Hashable, Codable {
  public var key: String
  /// A JSON object; `[:]` when the key alone says what was measured.
  public var context: CanonicalJSON
  public var value: Double

  public init(key: String, context: CanonicalJSON = [:], value: Double) {
    self.key = key
    self.context = context
    self.value = value
  }
}

/// The final metrics of a stage, in the order its runner reported them.
///
/// A runner reports the headline context of a key first (the kNN's first `k`, the linear
/// probe's test split), so `metrics["knn_top1"]` is the headline value. Encoded as a list
/// of `{key, context, value}`; manifests and results written before metrics had
/// contexts (an object of names) are read too, see `LegacyMetricNames`.
public struct StageMetrics: Sendable, Hashable, Codable, Sequence, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public private(set) var entries: [StageMetric]
  /// Read from an object of names (`{"knn_top1@20": 0.8}`): contexts not known yet;
  /// `upgraded(kind:parameters:)` gives them.
  public private(set) var hasLegacyNames = false

  public init(_ entries: [StageMetric] = []) {
    self.entries = entries
  }

  public init(arrayLiteral entries: StageMetric...) {
    self.entries = entries
  }

  /// Metrics without contexts, in the order written.
  public init(dictionaryLiteral elements: (String, Double)...) {
    entries = elements.map { StageMetric(key: $0.0, value: $0.1) }
  }

  /// Metrics without contexts, from a dictionary, sorted by key.
  public init(_ values: [String: Double]) {
    entries = values.keys.sorted().map { StageMetric(key: $0, value: values[$0]!) }
  }

  /// Adds a metric; a second value for the same key and context replaces the first.
  public mutating func add(_ key: String, _ value: Double, context: CanonicalJSON = [:]) {
    if let i = entries.firstIndex(where: { $0.key == key && $0.context == context }) {
      entries[i].value = value
    } else {
      entries.append(StageMetric(key: key, context: context, value: value))
    }
  }

  /// The first value of `key` (its headline context).
  public subscript(key: String) -> Double? { entries.first { $0.key == key }?.value }

  /// The value of `key` under exactly `context`.
  public subscript(key: String, context context: CanonicalJSON) -> Double? {
    entries.first { $0.key == key && $0.context == context }?.value
  }

  /// The first value of `key` whose context has all of `settings` (`["k": 20]`).
  public func value(of key: String, with settings: [String: CanonicalJSON]) -> Double? {
    entries.first { metric in metric.key == key && settings.allSatisfy { metric.context[$0.key] == $0.value } }?.value
  }

  public var isEmpty: Bool { entries.isEmpty }

  /// The context of an evaluation protocol's metric: `{"protocol": name, "split": split}`
  /// plus its settings (`k`, `temperature`).
  public static func protocolContext(
    _ name: String, _ settings: [String: CanonicalJSON] = [:], split: String = "test"
  ) -> CanonicalJSON {
    .object(settings.merging(["protocol": .string(name), "split": .string(split)]) { _, new in new })
  }

  public func makeIterator() -> IndexingIterator<[StageMetric]> { entries.makeIterator() }

  /// The metrics without those `isIncluded` rejects.
  public func filter(_ isIncluded: (StageMetric) -> Bool) -> StageMetrics {
    var copy = self
    copy.entries = entries.filter(isIncluded)
    return copy
  }

  /// A short name per entry, for tables: the key alone when it is the only entry of its
  /// key, else the key, `@`, and the context values that differ between the entries of
  /// that key (`knn_top1@20`, `knn_top1@200`; `linear_top1@test`, `linear_top1@train`).
  public var labelled: [(label: String, metric: StageMetric)] {
    let groups = Dictionary(grouping: entries, by: \.key)
    return entries.map { metric in
      let group = groups[metric.key]!
      guard group.count > 1 else { return (metric.key, metric) }
      let members = group.map { $0.context.objectValue ?? [:] }
      let names = Set(members.flatMap(\.keys)).sorted().filter { name in
        Set(members.map { $0[name] ?? .null }).count > 1
      }
      let context = metric.context.objectValue ?? [:]
      let parts = names.map { name -> String in
        switch context[name] {
        case .string(let s)?: s
        case let value?: value.canonicalString
        case nil: "-"
        }
      }
      return (metric.key + "@" + parts.joined(separator: ","), metric)
    }
  }

  /// A list of `{key, context, value}` objects (non-finite values as `"nan"`, `"inf"`,
  /// `"-inf"`).
  public var json: CanonicalJSON {
    .array(
      entries.map { ["key": .string($0.key), "context": $0.context, "value": CanonicalJSON.metric($0.value)] })
  }

  /// Reads what `json` writes, or an object of names (a result written before metrics had
  /// contexts; `hasLegacyNames` is then set).
  public init(json: CanonicalJSON) {
    if let names = json.objectValue {
      self.init(names.compactMapValues(\.metricValue))
      hasLegacyNames = true
      return
    }
    self.init(
      (json.arrayValue ?? []).compactMap { item in
        guard let key = item["key"]?.stringValue, let value = item["value"]?.metricValue else { return nil }
        return StageMetric(key: key, context: item["context"] ?? [:], value: value)
      })
  }

  public init(from decoder: any Decoder) throws {
    self.init(json: try CanonicalJSON(from: decoder))
  }

  public func encode(to encoder: any Encoder) throws {
    try json.encode(to: encoder)
  }

  public static func == (a: StageMetrics, b: StageMetrics) -> Bool { a.entries == b.entries }
  public func hash(into hasher: inout Hasher) { hasher.combine(entries) }
}
