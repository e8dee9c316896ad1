import Foundation
import SiamPipeline
import Testing

@Suite struct StageMetricsTests {
  static let k20 = StageMetrics.protocolContext("knn", ["k": 20, "temperature": 0.1])
  static let k200 = StageMetrics.protocolContext("knn", ["k": 200, "temperature": 0.1])

  static var knn: StageMetrics {
    var metrics = StageMetrics()
    metrics.add("knn_top1", 0.8, context: k20)
    metrics.add("knn_top5", 0.95, context: k20)
    metrics.add("knn_top1", 0.7, context: k200)
    metrics.add("knn_top5", 0.9, context: k200)
    return metrics
  }

  @Test func lookupsByKeyByContextAndBySettings() {
    let metrics = Self.knn
    #expect(metrics["knn_top1"] == 0.8, "the first context reported is the headline")
    #expect(metrics["knn_top1", context: Self.k200] == 0.7)
    #expect(metrics.value(of: "knn_top1", with: ["k": 200]) == 0.7)
    #expect(metrics.value(of: "knn_top1", with: ["k": 3]) == nil)
    #expect(metrics["missing"] == nil)
    var replaced = metrics
    replaced.add("knn_top1", 0.75, context: Self.k200)
    #expect(replaced.entries.count == 4 && replaced["knn_top1", context: Self.k200] == 0.75)
  }

  @Test func labelsNameOnlyTheContextValuesThatDiffer() {
    #expect(Self.knn.labelled.map(\.label) == ["knn_top1@20", "knn_top5@20", "knn_top1@200", "knn_top5@200"])
    let linear: StageMetrics = [
      .init(key: "linear_top1", context: StageMetrics.protocolContext("linear"), value: 0.9),
      .init(key: "linear_top1", context: StageMetrics.protocolContext("linear", split: "train"), value: 0.95),
      .init(key: "linear_final_loss", value: 0.3),
    ]
    #expect(linear.labelled.map(\.label) == ["linear_top1@test", "linear_top1@train", "linear_final_loss"])
  }

  @Test func jsonRoundTripsKeysContextsAndNonFiniteValuesExactly() throws {
    var metrics = Self.knn
    metrics.add("loss", .nan)
    metrics.add("ratio", 0.1 + 0.2)
    metrics.add("peak", -.infinity)
    let text = metrics.json.prettyPrinted()
    let back = StageMetrics(json: try CanonicalJSON.parse(Data(text.utf8)))
    #expect(!back.hasLegacyNames)
    #expect(back.entries.map(\.key) == metrics.entries.map(\.key))
    #expect(back.entries.map(\.context) == metrics.entries.map(\.context))
    for (a, b) in zip(back.entries, metrics.entries) {
      #expect(a.value.bitPattern == b.value.bitPattern || (a.value.isNaN && b.value.isNaN))
    }
    let decoded = try JSONDecoder().decode(StageMetrics.self, from: try JSONEncoder().encode(Self.knn))
    #expect(decoded == Self.knn)
  }

  /// Results and manifests from before metrics had contexts keep comparing with new ones.
  @Test func legacyNamesBecomeTheKeysAndContextsRunnersReportNow() throws {
    let legacy = StageMetrics(
      json: ["knn_top1": 0.8, "knn_top5": 0.95, "knn_top1@20": 0.8, "knn_top1@200": 0.7, "extra": 1])
    #expect(legacy.hasLegacyNames)
    let knn = legacy.upgraded(kind: "knn", parameters: ["k": [20, 200], "temperature": 0.1])
    #expect(knn["knn_top1", context: Self.k20] == 0.8)
    #expect(knn["knn_top1", context: Self.k200] == 0.7)
    #expect(knn["knn_top5", context: Self.k20] == 0.95)
    #expect(knn["extra", context: [:]] == 1)
    #expect(knn.entries.count == 4, "the plain knn_top1 repeats the first k's value and is dropped")
    let linear = StageMetrics(json: ["linear_top1": 0.9, "linear_train_top1": 0.95]).upgraded(
      kind: "linear_probe", parameters: [:])
    #expect(linear["linear_top1", context: StageMetrics.protocolContext("linear", split: "train")] == 0.95)
    #expect(linear["linear_top1", context: StageMetrics.protocolContext("linear")] == 0.9)
    let pretrain = StageMetrics(json: ["monitor_knn_top1": 0.6, "final_loss": 2]).upgraded(
      kind: "pretrain", parameters: [:])
    #expect(pretrain["monitor_knn_top1", context: PretrainStageRunner.monitorContext] == 0.6)
    #expect(Self.knn.upgraded(kind: "knn", parameters: [:]) == Self.knn, "new metrics stay as they are")
  }
}
