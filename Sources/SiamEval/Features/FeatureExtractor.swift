import SiamData
import SiamNN
import SiamTensor

/// Runs a frozen encoder over a dataset and collects its features.
///
/// The encoder runs in evaluation mode (BatchNorm uses its running statistics) on the
/// evaluation loader: the dataset's order, no augmentation (only `normalize` when given),
/// a short last batch. The forward pass is plain (no tape), so nothing is recorded for
/// differentiation. The training mode of every module of the encoder is restored
/// afterwards, module by module.
public struct FeatureExtractor: Sendable {
  /// Samples per forward pass.
  public var batchSize: Int
  /// Per-channel normalisation applied to every image before the encoder, if any.
  public var normalize: Normalize?

  public init(batchSize: Int = 256, normalize: Normalize? = nil) {
    self.batchSize = batchSize
    self.normalize = normalize
  }

  /// The encoder's features of every sample of `dataset`.
  ///
  /// - Parameters:
  ///   - encoder: Maps `[B, C, H, W]` to `[B, D]`.
  ///   - dataset: The split; its name becomes the feature set's `split`.
  ///   - featureLayer: The name recorded for the representation.
  /// - Returns: `[N, D]` features in dataset order with the dataset's labels.
  /// - Throws: `EvalError.invalidConfiguration` for a non-positive batch size,
  ///   `invalidInput` for an empty dataset.
  public func extract(encoder: Module, dataset: Dataset, featureLayer: String = "encoder output") throws -> FeatureSet {
    try EvalError.require(batchSize > 0, key: "features.batch_size", "batch size must be positive, got \(batchSize)")
    guard dataset.count > 0 else { throw EvalError(.invalidInput, key: "dataset", "\(dataset.name) has no samples") }
    let features = Self.withEvaluationMode(encoder) {
      forwardAll(dataset: dataset) { encoder($0) }
    }
    return FeatureSet(
      features: features, labels: dataset.labels, classCount: dataset.classCount,
      split: dataset.name, featureLayer: featureLayer)
  }

  /// Applies `forward` to every evaluation batch of `dataset` and stacks the `[B, D]`
  /// outputs into `[N, D]` (in dataset order).
  func forwardAll(dataset: Dataset, _ forward: (Tensor) -> Tensor) -> Tensor {
    let loader = MultiViewLoader.evaluation(dataset: dataset, batchSize: batchSize, normalize: normalize)
    var result: Tensor? = nil
    var width = 0
    loader.forEachBatch(epoch: 0) { batch in
      let output = forward(batch.views[0]).detached()
      precondition(
        output.rank == 2 && output.shape[0] == batch.count,
        "the encoder returned \(output.shape) for a batch of \(batch.count)")
      if result == nil {
        width = output.shape[1]
        result = Tensor(zeros: [dataset.count, width])
      }
      precondition(output.shape[1] == width, "the encoder's width changed from \(width) to \(output.shape[1])")
      let offset = batch.index * batchSize * width
      output.withUnsafeBufferPointer { source in
        result!.withUnsafeMutableBufferPointer { target in
          (target.baseAddress! + offset).update(from: source.baseAddress!, count: source.count)
        }
      }
    }
    return result!
  }

  /// Runs `body` with `module` in evaluation mode, then restores each submodule's mode.
  static func withEvaluationMode<R>(_ module: Module, _ body: () throws -> R) rethrows -> R {
    let modes = module.namedModules().map { ($0.module, $0.module.isTraining) }
    module.eval()
    defer {
      // Parents first: a parent's `train(_:)` resets its subtree, children then override.
      for (submodule, isTraining) in modes { submodule.train(isTraining) }
    }
    return try body()
  }
}
