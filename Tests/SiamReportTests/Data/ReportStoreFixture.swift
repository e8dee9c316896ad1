import Foundation
import SiamPipeline
import SiamStore
import _SiamTestSupport

/// An in-memory run store filled by hand (no training): runs of a tiny synthetic
/// pipeline with pretraining curves, a linear probe, kNN at two k and a raw-pixel kNN
/// baseline, optionally as the points of a sweep. Run folders do not exist, so parts
/// that need artifacts degrade to notes.
struct ReportStoreFixture {
  static let yaml = TinyPipeline.yaml(
    name: "tiny-report", seed: 1, flip: false,
    stages: [
      "linear: {kind: linear_probe, needs: [pretrain], epochs: 2}",
      "knn: {kind: knn, needs: [pretrain], k: [3, 5]}",
      "pixels: {kind: knn, needs: [data], k: 3}",
    ])

  let store: RunStore

  init() throws {
    store = try RunStore.inMemory()
  }

  /// Records a finished run of the pipeline with `overrides`; metrics depend on `k`
  /// and `seed` so that sweeps have something to plot.
  @discardableResult
  func addRun(id: String, overrides: [String] = [], sweep: String? = nil, point: Int? = nil) throws -> String {
    let spec = try PipelineLoader.load(yaml: Self.yaml, overrides: overrides).spec
    let record = RunRecord(
      id: id, pipeline: spec.name, configJSON: spec.resolved.canonicalString, sweepID: sweep, sweepPoint: point,
      seed: spec.seed, startedAt: "2026-11-29T04:17:02.123Z", engineVersion: "0.7.0", gitCommit: "abcdef1234567890",
      gitDirty: false, cpu: "AMD EPYC", blasCoreType: "Haswell", threads: 2, engineThreads: 2)
    let stages = spec.orderedStages.enumerated().map { index, stage in
      StageRunRecord(
        run: id, stage: stage.name, position: index, kind: stage.kind, fingerprint: String(repeating: "a", count: 64))
    }
    let params = spec.flattenedParameters.map { key, value in
      ParamRecord(run: id, key: key, value: value.canonicalString, numeric: value.doubleValue)
    }
    try store.beginRun(record, stages: stages, params: params)
    let k = spec.stages["knn"].flatMap { $0.resolvedParameters["k"]?.arrayValue?.first?.doubleValue } ?? 3
    let shift = Double(spec.seed) * 0.01 + k * 0.02
    for var stage in stages {
      stage.status = .completed
      stage.startedAt = "2026-11-29T04:17:03.000Z"
      stage.finishedAt = "2026-11-29T04:17:04.000Z"
      stage.seconds = 1
      try store.recordStage(stage, metrics: metrics(stage.stage, run: id, shift: shift), artifacts: [])
    }
    try store.finishRun(id: id, status: .finished, seconds: 12.5)
    return id
  }

  func metrics(_ stage: String, run: String, shift: Double) -> [MetricRecord] {
    switch stage {
    case "pretrain":
      var out: [MetricRecord] = []
      for epoch in 0..<2 {
        let step = 4 * (epoch + 1)
        out.append(
          MetricRecord(run: run, stage: stage, key: "loss", step: step, epoch: epoch, value: 3 - Double(epoch) - shift))
        out.append(
          MetricRecord(run: run, stage: stage, key: "lr", step: step, epoch: epoch, value: 0.05 / Double(epoch + 1)))
        out.append(MetricRecord(run: run, stage: stage, key: "embedding_std", step: step, epoch: epoch, value: 0.1))
        out.append(
          MetricRecord(run: run, stage: stage, key: "positive_similarity", step: step, epoch: epoch, value: 0.8))
        out.append(
          MetricRecord(run: run, stage: stage, key: "negative_similarity", step: step, epoch: epoch, value: 0.1))
      }
      for step in 1...8 {
        out.append(
          MetricRecord(
            run: run, stage: stage, key: "loss", context: #"{"per":"step"}"#, step: step, epoch: (step - 1) / 4,
            value: 3.2 - Double(step) * 0.15))
      }
      out.append(MetricRecord(run: run, stage: stage, key: "final_loss", step: 8, value: 2 - shift))
      return out
    case "linear":
      return [
        MetricRecord(
          run: run, stage: stage, key: "linear_top1", context: #"{"protocol":"linear","split":"test"}"#,
          value: 0.6 + shift)
      ]
    case "knn":
      return [3, 5].map { k in
        MetricRecord(
          run: run, stage: stage, key: "knn_top1",
          context: #"{"k":\#(k),"protocol":"knn","split":"test","temperature":0.1}"#,
          value: 0.5 + shift + Double(k) * 0.01)
      }
    case "pixels":
      return [
        MetricRecord(
          run: run, stage: stage, key: "knn_top1",
          context: #"{"k":3,"protocol":"knn","split":"test","temperature":0.1}"#, value: 0.45)
      ]
    default:
      return [MetricRecord(run: run, stage: stage, key: "train_count", value: 64)]
    }
  }

  /// A sweep over `stages.knn.k` × `seed` (2 × 2 runs).
  func addSweep(id: String = "20261129-050000-swp1") throws -> String {
    let axes = #"[{"kind":"grid","path":"stages.knn.k","values":[3,5]},{"kind":"grid","path":"seed","values":[1,2]}]"#
    try store.createSweep(id: id, pipeline: "tiny-report", axesJSON: axes)
    var point = 0
    for k in [3, 5] {
      for seed in [1, 2] {
        try addRun(
          id: "20261129-05000\(point)-pt0\(point)", overrides: ["stages.knn.k=\(k)", "seed=\(seed)"], sweep: id,
          point: point)
        point += 1
      }
    }
    return id
  }
}
