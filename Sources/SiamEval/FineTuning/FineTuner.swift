import SiamData
import SiamNN
import SiamTensor

/// Fine-tuning: the whole encoder and a fresh linear head trained with cross entropy on
/// labelled images, then evaluated on the test split; with `labelFraction` the
/// semi-supervised variant (a seeded class-balanced labelled subset: SiamData's
/// `Dataset.labeledIndices(fraction:seed:)`, `max(1, round(fraction · n_c))` samples of
/// each class `c`).
///
/// Procedure (deterministic from `seed`): the head is drawn from
/// `RandomKey(seed).folded(in: "head")`; the train loader shuffles and augments from
/// `seed` (`MultiViewLoader`, one view, `augmentation` then `normalize`), drops a last
/// short batch when the split has at least one full batch; the learning rate follows a
/// linear warmup (`warmupEpochs`) then a cosine to 0, per step; the encoder's rate is
/// `encoderLearningRateScale ×` the head's. SGD (momentum, PyTorch semantics), LARS or AdamW,
/// weight decay on everything but biases and normalisation parameters. The test split is
/// evaluated once, after the last epoch, in evaluation mode without augmentation.
///
/// The encoder's parameters are updated in place; pass a freshly loaded encoder.
public struct FineTuner: Sendable {
  /// Settings of a fine-tuning run; every field is recorded in the protocol.
  public struct Configuration: Codable, Sendable, Hashable {
    public var epochs: Int = 10
    public var batchSize: Int = 128
    public var optimizer: OptimizerKind = .sgd
    /// Peak learning rate of the head.
    public var learningRate: Float = 0.05
    /// The encoder's learning rate relative to the head's.
    public var encoderLearningRateScale: Float = 1
    /// SGD and LARS momentum (ignored by AdamW).
    public var momentum: Float = 0.9
    public var weightDecay: Float = 5e-4
    public var warmupEpochs: Int = 0
    /// Fraction of train labels used (semi-supervised); nil for all.
    public var labelFraction: Double? = nil
    public var seed: UInt64 = 0

    public init(
      epochs: Int = 10, batchSize: Int = 128, optimizer: OptimizerKind = .sgd, learningRate: Float = 0.05,
      encoderLearningRateScale: Float = 1, momentum: Float = 0.9, weightDecay: Float = 5e-4, warmupEpochs: Int = 0,
      labelFraction: Double? = nil, seed: UInt64 = 0
    ) {
      self.epochs = epochs
      self.batchSize = batchSize
      self.optimizer = optimizer
      self.learningRate = learningRate
      self.encoderLearningRateScale = encoderLearningRateScale
      self.momentum = momentum
      self.weightDecay = weightDecay
      self.warmupEpochs = warmupEpochs
      self.labelFraction = labelFraction
      self.seed = seed
    }

    func validate() throws {
      try EvalError.require(epochs > 0, key: "finetune.epochs", "epochs must be positive, got \(epochs)")
      try EvalError.require(batchSize > 0, key: "finetune.batch_size", "batch size must be positive, got \(batchSize)")
      try EvalError.require(
        learningRate > 0 && learningRate.isFinite, key: "finetune.lr",
        "learning rate must be positive, got \(learningRate)")
      try EvalError.require(
        encoderLearningRateScale >= 0, key: "finetune.encoder_lr_scale",
        "encoder learning-rate scale must be ≥ 0, got \(encoderLearningRateScale)")
      try EvalError.require(
        warmupEpochs >= 0 && warmupEpochs <= epochs, key: "finetune.warmup_epochs",
        "warmup epochs must be in 0...\(epochs), got \(warmupEpochs)")
      if let f = labelFraction {
        try EvalError.require(
          f > 0 && f <= 1, key: "finetune.label_fraction", "label fraction must be in (0, 1], got \(f)")
      }
    }
  }

  public var configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Fine-tunes `encoder` with a new head on `train` (or its labelled fraction) and
  /// reports test accuracy. The protocol is `semi_supervised` with a label fraction,
  /// `finetune` otherwise.
  ///
  /// - Parameter progress: Hears every training step (for progress displays).
  /// - Throws: `EvalError` for an invalid configuration, empty splits, splits that
  ///   disagree, or an augmentation that changes the image shape.
  public func run(
    encoder: any FeatureEncoder, train: Dataset, test: Dataset,
    augmentation: AugmentationChain? = nil, normalize: Normalize? = nil,
    progress: ((TrainingProgress) -> Void)? = nil
  ) throws -> FineTuneResult {
    try run(
      encoder: encoder, train: train, test: test, augmentation: augmentation, normalize: normalize,
      kind: configuration.labelFraction == nil ? .finetune : .semiSupervised, featureLayer: "encoder output",
      progress: progress)
  }

  func run(
    encoder: any FeatureEncoder, train: Dataset, test: Dataset, augmentation: AugmentationChain?,
    normalize: Normalize?, kind: EvaluationProtocol.Kind, featureLayer: String,
    progress: ((TrainingProgress) -> Void)? = nil
  ) throws -> FineTuneResult {
    let c = configuration
    try c.validate()
    guard train.count > 0, test.count > 0 else {
      throw EvalError(.invalidInput, key: "dataset", "\(train.name) or \(test.name) has no samples")
    }
    guard train.imageShape == test.imageShape, train.classCount == test.classCount else {
      throw EvalError(
        .invalidInput, key: "dataset",
        "\(train.name) \(train.imageShape)/\(train.classCount) classes vs \(test.name) \(test.imageShape)/\(test.classCount)"
      )
    }
    var chain = augmentation ?? AugmentationChain()
    if let normalize { chain = chain.appending(normalize) }
    guard chain.outputShape(for: train.imageShape) == train.imageShape else {
      throw EvalError(
        .invalidConfiguration, key: "finetune.augmentation",
        "the training augmentation changes the image shape \(train.imageShape) to \(chain.outputShape(for: train.imageShape)); test images are not augmented, so shapes must agree"
      )
    }
    var labelled = train
    if let fraction = c.labelFraction {
      labelled = train.subset(
        indices: try train.labeledIndices(fraction: fraction, seed: c.seed),
        name: "\(train.name)[labeled \(fraction)]")
    }

    let model = ClassifierModel(
      encoder: encoder, classCount: train.classCount, key: RandomKey(seed: c.seed).folded(in: "head"))
    let training = try ClassifierTraining(configuration: c, model: model)
    let batchSize = min(c.batchSize, labelled.count)
    let loader = MultiViewLoader(
      dataset: labelled, views: [chain], batchSize: batchSize, seed: c.seed,
      shuffle: true, dropLast: true)
    let history = training.train(loader: loader, progress: progress)

    let logits = FeatureExtractor.withEvaluationMode(model) {
      FeatureExtractor(batchSize: 256, normalize: normalize).forwardAll(dataset: test) { model($0) }
    }
    let metrics = ClassificationMetrics(scores: logits.scalars, labels: test.labels, classCount: test.classCount)
    let record = EvaluationProtocol(
      kind: kind, featureLayer: featureLayer, trainSplit: labelled.name, evaluationSplit: test.name, epochs: c.epochs,
      labelFraction: c.labelFraction,
      settings: [
        "optimizer": c.optimizer.rawValue, "lr": "\(c.learningRate)",
        "encoder_lr_scale": "\(c.encoderLearningRateScale)",
        "momentum": "\(c.momentum)", "weight_decay": "\(c.weightDecay)", "warmup_epochs": "\(c.warmupEpochs)",
        "schedule": "warmup + cosine per step", "batch_size": "\(batchSize)", "seed": "\(c.seed)",
        "augmentation": augmentation.map { "\($0.entries.count) ops" } ?? "none",
      ])
    return FineTuneResult(
      protocol: record, top1: metrics.top1, top5: metrics.top5, labelledCount: labelled.count,
      epochLosses: history.losses, epochTrainAccuracies: history.accuracies, confusion: metrics.confusion)
  }
}

/// The result of fine-tuning, semi-supervised training or the supervised baseline.
public struct FineTuneResult: Codable, Sendable, Hashable {
  public var `protocol`: EvaluationProtocol
  /// Test top-1 accuracy in `[0, 1]` after the last epoch.
  public var top1: Double
  /// Test top-5 accuracy in `[0, 1]`.
  public var top5: Double
  /// Number of labelled training samples used.
  public var labelledCount: Int
  /// Mean training cross entropy of each epoch (on augmented batches, training mode).
  public var epochLosses: [Double]
  /// Running training accuracy of each epoch (augmented batches, training mode).
  public var epochTrainAccuracies: [Double]
  /// Test confusion matrix, `confusion[label][prediction]`.
  public var confusion: [[Int]]
}
