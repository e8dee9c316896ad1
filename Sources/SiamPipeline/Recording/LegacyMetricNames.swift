/// Results and cache manifests written before final metrics had contexts stored them as
/// an object of names (`{"knn_top1@20": 0.8, "linear_train_top1": 0.9}`), and the
/// recorder derived each key and context from the name. Reading such a file keeps its
/// metrics comparable with new ones: the names are turned into the keys and contexts a
/// runner reports today, with the stage's parameters.
extension StageMetrics {
  /// These metrics with legacy names replaced by key and context; unchanged when they
  /// were read with contexts.
  ///
  /// - Parameters:
  ///   - kind: The stage's kind.
  ///   - parameters: The stage's resolved parameters (the kNN's `k` and temperature).
  public func upgraded(kind: String, parameters: CanonicalJSON) -> StageMetrics {
    guard hasLegacyNames else { return self }
    // `knn_top1@k` first: the plain `knn_top1` is the first k's value again.
    let names = entries.map(\.key).sorted {
      ($0.contains("@") ? 0 : 1, $0) < ($1.contains("@") ? 0 : 1, $1)
    }
    var out = StageMetrics()
    for name in names {
      let (key, context) = Self.legacy(name, kind: kind, parameters: parameters)
      if out[key, context: context] == nil { out.add(key, self[name]!, context: context) }
    }
    return out
  }

  /// The key and context of legacy name `name` of a stage of `kind`.
  static func legacy(_ name: String, kind: String, parameters: CanonicalJSON) -> (String, CanonicalJSON) {
    switch kind {
    case KNNParameters.kind:
      var key = name
      var k = parameters["k"]?.arrayValue?.first ?? parameters["k"]
      if let at = name.firstIndex(of: "@") {
        key = String(name[..<at])
        k = Int(name[name.index(after: at)...]).map { CanonicalJSON.number($0) } ?? k
      }
      guard key.hasPrefix("knn_top") else { return (name, [:]) }
      return (key, protocolContext("knn", ["k": k ?? .null, "temperature": parameters["temperature"] ?? .null]))
    case LinearProbeParameters.kind:
      if name == "linear_train_top1" { return ("linear_top1", protocolContext("linear", split: "train")) }
      return name.hasPrefix("linear_top") ? (name, protocolContext("linear")) : (name, [:])
    case FinetuneParameters.kind, SupervisedParameters.kind:
      return name.hasPrefix(kind + "_top") ? (name, protocolContext(kind)) : (name, [:])
    case PretrainParameters.kind where name == "monitor_knn_top1":
      return (name, PretrainStageRunner.monitorContext)
    default:
      return (name, [:])
    }
  }
}
