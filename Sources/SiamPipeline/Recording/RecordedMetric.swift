import SiamSSL

/// A metric value as the run store records it: key, context, step, epoch.
///
/// The context tells apart values of one key (docs/store.md). Final metrics carry the
/// context their runner gave them (`StageMetric`):
///
/// | stage kind | key | context |
/// | --- | --- | --- |
/// | `knn` | `knn_top1`, `knn_top5` (one per `k`) | `{"k":20,"protocol":"knn","split":"test","temperature":0.1}` |
/// | `linear_probe` | `linear_top1`, `linear_top5` | `{"protocol":"linear","split":"test"}` |
/// | `linear_probe` | `linear_top1` (train accuracy) | `{"protocol":"linear","split":"train"}` |
/// | `finetune`, `supervised` | `<kind>_top1`, `<kind>_top5` | `{"protocol":"<kind>","split":"test"}` |
/// | `pretrain` | `monitor_knn_top1` | `PretrainStageRunner.monitorContext` |
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

  /// The final metrics of a stage as the store records them: each metric's key and
  /// context as its runner reported them.
  public static func finals(_ metrics: StageMetrics, step: Int = 0, epoch: Int? = nil) -> [RecordedMetric] {
    metrics.map {
      RecordedMetric(key: $0.key, context: $0.context.canonicalString, step: step, epoch: epoch, value: $0.value)
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
        contexts["monitor_" + key] = PretrainStageRunner.monitorContext
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
