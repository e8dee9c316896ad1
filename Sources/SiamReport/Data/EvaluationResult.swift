import Foundation
import SiamPipeline

/// One evaluation number of a run: a linear probe's, a kNN classifier's (one per `k`)
/// or a fine-tuned / supervised model's test top-1, and whether it measures the run's
/// own method or a baseline.
///
/// A result is a baseline when the evaluated stage's input is the dataset (raw pixels),
/// a `random_encoder` or a `supervised` stage, or when the stage is itself `supervised`.
public struct EvaluationResult: Sendable, Hashable {
  /// How the number was measured.
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    case linear, knn, finetune
  }

  public var run: Int
  public var stage: String
  public var kind: Kind
  /// `k` of a kNN result.
  public var k: Int?
  /// Test top-1 accuracy in `[0, 1]`.
  public var value: Double
  /// nil for the method's own result; else what the baseline is (`pixels`, `random
  /// init`, `supervised`).
  public var baseline: String?

  /// Every evaluation result of the runs of `input`.
  public static func all(in input: ReportInput) -> [EvaluationResult] {
    var results: [EvaluationResult] = []
    for (index, run) in input.runs.enumerated() {
      for stage in run.stages {
        let baseline = baselineName(of: stage.stage, in: run)
        switch stage.kind {
        case LinearProbeParameters.kind:
          if let value = run.last(
            stage: stage.stage, key: "linear_top1", context: #"{"protocol":"linear","split":"test"}"#)
          {
            results.append(.init(run: index, stage: stage.stage, kind: .linear, value: value, baseline: baseline))
          }
        case KNNParameters.kind:
          for context in run.contexts(stage: stage.stage, key: "knn_top1") {
            guard let k = (try? CanonicalJSON.parse(Data(context.utf8)))?["k"]?.intValue,
              let value = run.last(stage: stage.stage, key: "knn_top1", context: context)
            else { continue }
            results.append(.init(run: index, stage: stage.stage, kind: .knn, k: k, value: value, baseline: baseline))
          }
        case FinetuneParameters.kind, SupervisedParameters.kind:
          let kind = stage.kind
          if let value = run.last(
            stage: stage.stage, key: kind + "_top1", context: #"{"protocol":""# + kind + #"","split":"test"}"#)
          {
            let own = kind == SupervisedParameters.kind ? "supervised" : baseline
            results.append(.init(run: index, stage: stage.stage, kind: .finetune, value: value, baseline: own))
          }
        default: continue
        }
      }
    }
    return results
  }

  /// What kind of baseline evaluating stage `name` gives, from the kind of its input.
  static func baselineName(of name: String, in run: ReportRun) -> String? {
    guard let input = run.input(of: name), let kind = run.kind(of: input) else { return nil }
    switch kind {
    case DatasetParameters.kind: return "pixels"
    case RandomEncoderParameters.kind: return "random init"
    case SupervisedParameters.kind: return "supervised"
    default: return nil
    }
  }
}
