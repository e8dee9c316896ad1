import SiamData
import SiamNN
import SiamTensor

/// The training loop of `FineTuner`: two optimizers (encoder, head) sharing one
/// warmup + cosine schedule, cross entropy, one step per loader batch.
struct ClassifierTraining {
  let configuration: FineTuner.Configuration
  let model: ClassifierModel

  init(configuration: FineTuner.Configuration, model: ClassifierModel) throws {
    self.configuration = configuration
    self.model = model
  }

  private func makeOptimizer() -> any Optimizer {
    let c = configuration
    switch c.optimizer {
    case .sgd:
      return SGD(
        learningRate: c.learningRate, momentum: c.momentum, weightDecay: c.weightDecay,
        weightDecayExclusions: .biasAndNormalization)
    case .lars:
      return LARS(
        learningRate: c.learningRate, momentum: c.momentum, weightDecay: c.weightDecay,
        exclusions: .biasAndNormalization)
    case .adamw:
      return AdamW(
        learningRate: c.learningRate, weightDecay: c.weightDecay, weightDecayExclusions: .biasAndNormalization)
    }
  }

  /// Trains for `configuration.epochs` epochs; returns each epoch's mean loss and
  /// running accuracy. `progress` hears every step.
  func train(
    loader: MultiViewLoader, progress: ((TrainingProgress) -> Void)? = nil
  ) -> (losses: [Double], accuracies: [Double]) {
    let c = configuration
    let stepsPerEpoch = max(1, loader.batchesPerEpoch)
    let schedule = WarmupCosineSchedule(
      baseValue: c.learningRate, warmupSteps: c.warmupEpochs * stepsPerEpoch, totalSteps: c.epochs * stepsPerEpoch)
    var encoderOptimizer = makeOptimizer()
    var headOptimizer = makeOptimizer()
    var losses: [Double] = []
    var accuracies: [Double] = []
    var step = 0
    model.train()
    let clock = ContinuousClock()
    for epoch in 0..<c.epochs {
      var lossSum = 0.0
      var correct = 0
      var seen = 0
      var stepInEpoch = 0
      var stepStart = clock.now
      loader.forEachBatch(epoch: epoch) { batch in
        var predictions: [Int] = []
        let (value, gradients) = valueAndGradient(of: model) { m in
          let logits = m(batch.views[0])
          predictions = Self.argmax(logits.detached())
          return crossEntropy(logits: logits, labels: batch.labels)
        }
        let rate = schedule.value(atStep: step)
        headOptimizer.learningRate = rate
        encoderOptimizer.learningRate = rate * c.encoderLearningRateScale
        headOptimizer.update(model, gradients: gradients.filter { $0.key.hasPrefix("head.") })
        encoderOptimizer.update(model, gradients: gradients.filter { $0.key.hasPrefix("encoder.") })
        lossSum += Double(value.scalar) * Double(batch.count)
        correct += zip(predictions, batch.labels).filter { $0 == $1 }.count
        seen += batch.count
        step += 1
        if let progress {
          let elapsed = clock.now - stepStart
          let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
          progress(
            TrainingProgress(
              epoch: epoch, epochs: c.epochs, step: stepInEpoch, stepsPerEpoch: stepsPerEpoch,
              loss: Double(value.scalar), imagesPerSecond: Double(batch.count) / max(seconds, 1e-9)))
          stepStart = clock.now
        }
        stepInEpoch += 1
      }
      losses.append(lossSum / Double(max(1, seen)))
      accuracies.append(Double(correct) / Double(max(1, seen)))
    }
    return (losses, accuracies)
  }

  /// The first maximal class of each row of `[N, C]` logits.
  static func argmax(_ logits: Tensor) -> [Int] {
    let (n, classes) = (logits.shape[0], logits.shape[1])
    let values = logits.scalars
    return (0..<n).map { row in
      var best = 0
      for k in 1..<max(1, classes) where values[row * classes + k] > values[row * classes + best] { best = k }
      return best
    }
  }
}
