import SiamSSL

/// A metric value as the run store records it: key, context, step, epoch.
///
/// The context tells apart values of one key (docs/store.md):
///
/// | stage kind | metric | recorded as |
/// | --- | --- | --- |
/// | `knn` | `knn_top1@20` | `knn_top1` `{"k":20,"protocol":"knn","split":"test","temperature":0.1}` |
/// | `knn` | `knn_top1`, `knn_top5` | the same context with the first `k` |
/// | `linear_probe` | `linear_top1`, `linear_top5` | `{"protocol":"linear","split":"test"}` |
/// | `linear_probe` | `linear_train_top1` | `linear_top1` `{"protocol":"linear","split":"train"}` |
/// | `finetune`, `supervised` | `<kind>_top1`, `<kind>_top5` | `{"protocol":"<kind>","split":"test"}` |
/// | `pretrain` | `monitor_knn_top1` | `{"protocol":"knn","split":"test","temperature":0.1}` |
/// | any | anything else | `{}` |
///
/// Pretraining also records one value per epoch (at the epoch's last step): `loss`,
/// `lr`, `images_per_second`, `data_wait_fraction`, `epoch_seconds`, the method's own
/// metrics (`embedding_std`, `momentum`, ...) and `monitor_knn_top1` when the monitor ran.
/// Final metrics of a pretrain stage sit at its last step; evaluations at step 0. When
/// the stage executes (not on a cache hit), every reported step (every 50th and the last
/// of each epoch) is recorded too, with context
/// `{"per":"step"}` (`StoreRecorder.stepContext`): `loss`, `lr`, `images_per_second` and
/// the method's metrics.
public struct RecordedMetric: Sendable, Hashable {
  public var key: String
  /// Canonical JSON object text.
  public var context: String
  public var step: Int
  public var epoch: Int?
  public var value: Double

  public init(key: String, context: String = "{}", step: Int = 0, epoch: Int? = nil, value: Double) {
    self.key = key
    self.context = context
    self.step = step
    self.epoch = epoch
    self.value = value
  }

  /// The final metrics of `stage` (as `StageResult.metrics` has them), with contexts.
  public static func finals(
    of stage: StageSpec, metrics: [String: Double], step: Int = 0, epoch: Int? = nil
  ) -> [RecordedMetric] {
    var seen = Set<[String]>()
    var out: [RecordedMetric] = []
    // `knn_top1@k` first, so that the plain `knn_top1` (the same value for the first k)
    // is dropped as a duplicate.
    let keys = metrics.keys.sorted { ($0.contains("@") ? 0 : 1, $0) < ($1.contains("@") ? 0 : 1, $1) }
    for name in keys {
      let (key, context) = named(name, stage: stage)
      let text = context.canonicalString
      guard seen.insert([key, text]).inserted else { continue }
      out.append(RecordedMetric(key: key, context: text, step: step, epoch: epoch, value: metrics[name]!))
    }
    return out
  }

  /// The key and context of final metric `name` of `stage`.
  static func named(_ name: String, stage: StageSpec) -> (String, CanonicalJSON) {
    let parameters = stage.resolvedParameters
    switch stage.kind {
    case KNNParameters.kind:
      var key = name
      var k = parameters["k"]?.arrayValue?.first ?? parameters["k"]
      if let at = name.firstIndex(of: "@") {
        key = String(name[..<at])
        k = Int(name[name.index(after: at)...]).map { CanonicalJSON.number($0) } ?? k
      }
      guard key.hasPrefix("knn_top") else { return (name, [:]) }
      return (
        key, ["protocol": "knn", "k": k ?? .null, "temperature": parameters["temperature"] ?? .null, "split": "test"]
      )
    case LinearProbeParameters.kind:
      if name == "linear_train_top1" { return ("linear_top1", ["protocol": "linear", "split": "train"]) }
      return name.hasPrefix("linear_top") ? (name, ["protocol": "linear", "split": "test"]) : (name, [:])
    case FinetuneParameters.kind, SupervisedParameters.kind:
      return name.hasPrefix(stage.kind + "_top")
        ? (name, ["protocol": .string(stage.kind), "split": "test"]) : (name, [:])
    case PretrainParameters.kind where name == "monitor_knn_top1":
      return (name, ["protocol": "knn", "split": "test", "temperature": 0.1])
    default:
      return (name, [:])
    }
  }

  /// One value per epoch and key of a pretraining run's records.
  public static func epochs(_ records: [EpochRecord]) -> [RecordedMetric] {
    var out: [RecordedMetric] = []
    for record in records {
      var values: [String: Double] = [
        "loss": Double(record.meanLoss), "lr": Double(record.learningRate),
        "images_per_second": record.imagesPerSecond, "data_wait_fraction": record.dataWaitFraction,
        "epoch_seconds": record.seconds,
      ]
      for (key, value) in record.metrics where values[key] == nil { values[key] = Double(value) }
      if let std = record.embeddingStd, values["embedding_std"] == nil { values["embedding_std"] = Double(std) }
      var contexts: [String: CanonicalJSON] = [:]
      for (key, value) in record.knn ?? [:] {
        values["monitor_" + key] = Double(value)
        contexts["monitor_" + key] = ["protocol": "knn", "split": "test", "temperature": 0.1]
      }
      for key in values.keys.sorted() {
        out.append(
          RecordedMetric(
            key: key, context: (contexts[key] ?? [:]).canonicalString, step: record.globalStep, epoch: record.epoch,
            value: values[key]!))
      }
    }
    return out
  }
}
