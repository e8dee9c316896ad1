import Foundation
import SiamNN
import SiamTensor

/// The linear evaluation protocol: multinomial logistic regression on frozen features.
///
/// Procedure (deterministic from `seed`):
/// 1. Standardise every dimension with the train split's mean and std
///    (`FeatureStandardizer`); the test split is transformed with the same numbers.
/// 2. Start from `W = 0, b = 0` (the problem is convex, so the start does not matter
///    and zeros need no key).
/// 3. Minibatch SGD with heavy-ball momentum (PyTorch `SGD` semantics, `momentum` 0.9),
///    L2 weight decay on `W` only (`loss = CE + λ/2·‖W‖²`), for `epochs` epochs of
///    `batchSize` samples in an order shuffled per epoch from
///    `RandomKey(seed).folded(in: "linear_probe").folded(in: epoch)`; the last short
///    batch is kept. The learning rate follows a cosine from `η` to 0 over all steps
///    (no warmup).
/// 4. Stability guard: `η` is capped at `2 / λ_max(X̃ᵀX̃ / N)` where `X̃` is the
///    standardised features with a bias column; as the softmax Hessian is bounded by
///    `½·X̃ᵀX̃/N`, this keeps `η·h_max ≤ 1` even for strongly correlated (collapsed)
///    features. `λ_max` comes from 50 power iterations. The applied rate is recorded.
/// 5. Report the model after the last epoch (no selection on the test split).
///
/// The gradient is written by hand (`∂CE/∂logits = (softmax − onehot)/B`) over BLAS
/// rather than taped: the probe takes tens of thousands of tiny steps.
public struct LinearProbe: Sendable {
  /// Settings of the probe; every field is recorded in the protocol.
  public struct Configuration: Codable, Sendable, Hashable {
    public var epochs: Int = 100
    public var batchSize: Int = 256
    /// Peak learning rate `η` (before the stability cap).
    public var learningRate: Float = 0.1
    public var momentum: Float = 0.9
    /// `λ`, L2 on the weights (not the bias).
    public var weightDecay: Float = 1e-4
    public var seed: UInt64 = 0

    public init(
      epochs: Int = 100, batchSize: Int = 256, learningRate: Float = 0.1, momentum: Float = 0.9,
      weightDecay: Float = 1e-4, seed: UInt64 = 0
    ) {
      self.epochs = epochs
      self.batchSize = batchSize
      self.learningRate = learningRate
      self.momentum = momentum
      self.weightDecay = weightDecay
      self.seed = seed
    }

    func validate() throws {
      try EvalError.require(epochs > 0, key: "linear.epochs", "epochs must be positive, got \(epochs)")
      try EvalError.require(batchSize > 0, key: "linear.batch_size", "batch size must be positive, got \(batchSize)")
      try EvalError.require(
        learningRate > 0 && learningRate.isFinite, key: "linear.lr",
        "learning rate must be positive, got \(learningRate)")
      try EvalError.require(
        momentum >= 0 && momentum < 1, key: "linear.momentum", "momentum must be in [0, 1), got \(momentum)")
      try EvalError.require(
        weightDecay >= 0, key: "linear.weight_decay", "weight decay must be ≥ 0, got \(weightDecay)")
    }
  }

  public var configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Fits on `train`, evaluates on `test`.
  ///
  /// - Parameter progress: Hears the end of every epoch (as its one step, with the
  ///   epoch's mean loss).
  /// - Throws: `EvalError` for an invalid configuration or mismatched splits.
  /// - Complexity: `epochs · 6·N·D·C` flops plus `O(N·D)` per epoch for the gathers.
  public func evaluate(
    train: FeatureSet, test: FeatureSet, progress: ((TrainingProgress) -> Void)? = nil
  ) throws -> LinearProbeResult {
    try FeatureSet.validatePair(train: train, test: test)
    let fit = try self.fit(train, progress: progress)
    let trainMetrics = fit.classifier.metrics(on: train)
    let testMetrics = fit.classifier.metrics(on: test)
    let c = configuration
    let record = EvaluationProtocol(
      kind: .linear, featureLayer: train.featureLayer, trainSplit: train.split, evaluationSplit: test.split,
      epochs: c.epochs,
      settings: [
        "optimizer": "sgd", "momentum": "\(c.momentum)", "schedule": "cosine, no warmup",
        "batch_size": "\(c.batchSize)", "lr": "\(c.learningRate)", "lr_applied": "\(fit.appliedLearningRate)",
        "weight_decay": "\(c.weightDecay)", "standardization": "train mean/std", "seed": "\(c.seed)",
      ])
    return LinearProbeResult(
      protocol: record, top1: testMetrics.top1, top5: testMetrics.top5, trainTop1: trainMetrics.top1,
      finalLoss: fit.classifier.crossEntropyLoss(on: train), epochLosses: fit.epochLosses,
      appliedLearningRate: Double(fit.appliedLearningRate), confusion: testMetrics.confusion)
  }

  /// Trains the classifier on `train` (standardised with its own statistics).
  ///
  /// - Returns: The classifier, the mean minibatch loss of each epoch (cross entropy
  ///   plus the L2 term) and the learning rate applied after the stability cap.
  public func fit(
    _ train: FeatureSet, progress: ((TrainingProgress) -> Void)? = nil
  ) throws -> (classifier: LinearClassifier, epochLosses: [Double], appliedLearningRate: Float) {
    try configuration.validate()
    try train.validate("train")
    let standardizer = FeatureStandardizer(fitting: train.features)
    let x = standardizer.apply(train.features).scalars
    let (n, d, classes) = (train.count, train.dimension, train.classCount)
    let c = configuration
    let lrCap = 2 / Float(Self.largestEigenvalue(x, rows: n, columns: d))
    let peak = min(c.learningRate, lrCap)
    let batchesPerEpoch = (n + c.batchSize - 1) / c.batchSize
    let schedule = WarmupCosineSchedule(baseValue: peak, warmupSteps: 0, totalSteps: c.epochs * batchesPerEpoch)
    let state = SoftmaxRegressionState(classes: classes, dimension: d, maximumBatch: min(c.batchSize, n))
    var epochLosses: [Double] = []
    var step = 0
    // The GEMMs are tiny ([B, D]·[D, C]): waking BLAS threads for each costs more than it
    // saves, so the loop runs single-threaded.
    BLAS.withSingleThread {
      for epoch in 0..<c.epochs {
        var stream = RandomStream(key: RandomKey(seed: c.seed).folded(in: "linear_probe").folded(in: UInt64(epoch)))
        let order = stream.shuffled(Array(0..<n))
        var lossSum = 0.0
        for batch in 0..<batchesPerEpoch {
          let rows = order[(batch * c.batchSize)..<min(n, (batch + 1) * c.batchSize)]
          let loss = state.step(
            x: x, labels: train.labels, rows: rows, learningRate: schedule.value(atStep: step),
            momentum: c.momentum, weightDecay: c.weightDecay)
          lossSum += loss * Double(rows.count)
          step += 1
        }
        epochLosses.append(lossSum / Double(n))
        progress?(
          TrainingProgress(epoch: epoch, epochs: c.epochs, step: 0, stepsPerEpoch: 1, loss: lossSum / Double(n)))
      }
    }
    let classifier = LinearClassifier(standardizer: standardizer, weight: state.weight, bias: state.bias)
    return (classifier, epochLosses, peak)
  }

  /// `λ_max(X̃ᵀX̃ / N)` for row-major `x` `[rows, columns]` with an appended column of
  /// ones: the `(D+1)×(D+1)` Gram matrix by one `sgemm`, then 100 power iterations in
  /// Double from the all-ones vector.
  static func largestEigenvalue(_ x: [Float], rows: Int, columns: Int) -> Double {
    var gram = [Float](repeating: 0, count: columns * columns)
    var columnSums = [Double](repeating: 0, count: columns)
    x.withUnsafeBufferPointer { p in
      gram.withUnsafeMutableBufferPointer { g in
        BLAS.sgemm(
          transposeA: true, transposeB: false, m: columns, n: columns, k: rows,
          a: p.baseAddress!, b: p.baseAddress!, c: g.baseAddress!)
      }
      for row in 0..<rows {
        for j in 0..<columns { columnSums[j] += Double(p[row * columns + j]) }
      }
    }
    let width = columns + 1
    func entry(_ i: Int, _ j: Int) -> Double {
      switch (i == columns, j == columns) {
      case (true, true): return Double(rows)
      case (true, false): return columnSums[j]
      case (false, true): return columnSums[i]
      case (false, false): return Double(gram[i * columns + j])
      }
    }
    var v = [Double](repeating: 1 / Double(width).squareRoot(), count: width)
    var eigenvalue = 1.0
    for _ in 0..<100 {
      var w = [Double](repeating: 0, count: width)
      for i in 0..<width {
        var sum = 0.0
        for j in 0..<width { sum += entry(i, j) * v[j] }
        w[i] = sum
      }
      let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
      guard norm > 0 else { return 1 }
      eigenvalue = norm / Double(rows)
      v = w.map { $0 / norm }
    }
    return max(eigenvalue, 1e-12)
  }
}

/// The result of `LinearProbe.evaluate(train:test:)`.
public struct LinearProbeResult: Codable, Sendable, Hashable {
  public var `protocol`: EvaluationProtocol
  /// Test top-1 accuracy in `[0, 1]`.
  public var top1: Double
  /// Test top-5 accuracy in `[0, 1]`.
  public var top5: Double
  /// Top-1 on the train split (how well the probe fits).
  public var trainTop1: Double
  /// Mean cross entropy over the whole train split after the last epoch (no L2 term).
  public var finalLoss: Double
  /// Mean minibatch objective (cross entropy + L2 term) of each epoch.
  public var epochLosses: [Double]
  /// Peak learning rate after the stability cap.
  public var appliedLearningRate: Double
  /// Test confusion matrix, `confusion[label][prediction]`.
  public var confusion: [[Int]]
}
