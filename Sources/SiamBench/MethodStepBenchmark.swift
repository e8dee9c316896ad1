import SiamNN
import SiamSSL
import SiamTensor

/// One training step of a method with a target network, through the method's own
/// implementation (`computeGradients`, the optimizer, `afterOptimizerStep`), on the steps
/// of `scripts/bench-pytorch.py`:
/// - BYOL: online `convnet` (pool 1) + projector Linear(128→128, no bias), BN, ReLU,
///   Linear(128→64); predictor 64→128→64 of the same shape; target the EMA copy (m 0.99);
///   the symmetric loss.
/// - MoCo v2: query `convnet` (pool 1) + head Linear(128→128) → ReLU → Linear(128→64); key
///   encoder its momentum copy (m 0.999); InfoNCE at T 0.2 against a queue of 4,096 keys;
///   one direction.
///
/// Both with SGD (lr 0.06, momentum 0.9, weight decay 5e-4) on fixed random 28×28×1 views.
struct MethodStepBenchmark {
  let batchSize: Int
  let method: any Method
  let views: [Tensor]
  let flopsPerStep: Double
  var optimizer = SGD(learningRate: 0.06, momentum: 0.9, weightDecay: 5e-4)

  /// The layers of `convnet` (pool 1) on 28×28×1, whose work dominates every step here.
  static let convnetLayers: [FLOPCounter.Layer] = [
    .conv(inputChannels: 1, outputChannels: 32, kernel: 3, outputSize: 28),
    .conv(inputChannels: 32, outputChannels: 64, kernel: 3, outputSize: 14),
    .conv(inputChannels: 64, outputChannels: 128, kernel: 3, outputSize: 7),
  ]

  static func makeConvnet(_ key: RandomKey) -> any FeatureEncoder {
    ConvNet(inputChannels: 1, pool: 1, key: key)
  }

  static func byolConvnet(batchSize: Int) throws -> MethodStepBenchmark {
    let key = RandomKey(seed: 44)
    let configuration = BYOL.Configuration(
      projectorHiddenWidths: [128], projectorOutputFeatures: 64, predictorHiddenWidths: [128],
      baseMomentum: 0.99, finalMomentum: 0.99, isSymmetric: true)
    let method = try BYOL(configuration: configuration, makeEncoder: makeConvnet, key: key)
    let projector: [FLOPCounter.Layer] = [.linear(inputs: 128, outputs: 128), .linear(inputs: 128, outputs: 64)]
    let predictor: [FLOPCounter.Layer] = [.linear(inputs: 64, outputs: 128), .linear(inputs: 128, outputs: 64)]
    // Online: both views forward and backward; target: both views forward.
    let flops =
      FLOPCounter.trainingStep(convnetLayers + projector + predictor, images: 2 * batchSize)
      + FLOPCounter.forward(convnetLayers + projector, images: 2 * batchSize)
    let (v1, v2) = SimCLRStepBenchmark.makeViews(batchSize: batchSize, shape: [1, 28, 28], key: key)
    return MethodStepBenchmark(batchSize: batchSize, method: method, views: [v1, v2], flopsPerStep: flops)
  }

  static func mocov2Convnet(batchSize: Int, queueSize: Int = 4096) throws -> MethodStepBenchmark {
    let key = RandomKey(seed: 45)
    let configuration = MoCoV2.Configuration(
      temperature: 0.2, projectorHiddenWidths: [128], projectorOutputFeatures: 64, projectorHasBatchNorm: false,
      queueSize: queueSize, momentum: 0.999, isSymmetric: false)
    let method = try MoCoV2(configuration: configuration, batchSize: batchSize, makeEncoder: makeConvnet, key: key)
    let head: [FLOPCounter.Layer] = [.linear(inputs: 128, outputs: 128), .linear(inputs: 128, outputs: 64)]
    // Query: view 1 forward and backward; key: view 2 forward; the queue logits
    // (a [N, 64]·[64, K] product) forward and its query gradient.
    let flops =
      FLOPCounter.trainingStep(convnetLayers + head, images: batchSize)
      + FLOPCounter.forward(convnetLayers + head, images: batchSize)
      + 2 * FLOPCounter.Layer.linear(inputs: 64, outputs: queueSize).forwardFLOPs * Double(batchSize)
    let (v1, v2) = SimCLRStepBenchmark.makeViews(batchSize: batchSize, shape: [1, 28, 28], key: key)
    return MethodStepBenchmark(batchSize: batchSize, method: method, views: [v1, v2], flopsPerStep: flops)
  }

  /// One step: gradients, the optimizer's update, the target's EMA update.
  mutating func step() {
    let (_, gradients, _) = method.computeGradients(views: views)
    optimizer.update(method.trainableModule, gradients: gradients)
    method.afterOptimizerStep(step: 0, totalSteps: 1)
  }

  /// The median time of `trials` steps after one warm-up step.
  func measure(trials: Int) -> StepFigure {
    var copy = self
    let seconds = Stopwatch.medianSeconds(trials: trials) { copy.step() }
    return StepFigure(batchSize: batchSize, secondsPerStep: seconds, flopsPerStep: flopsPerStep)
  }
}

/// The forward pass of an encoder in evaluation mode (embedding extraction for kNN and the
/// probes), batch 256 of fixed random images.
struct ForwardBenchmark {
  let batchSize: Int
  let encoder: Module
  let images: Tensor
  let flopsPerBatch: Double

  static func convnet(batchSize: Int) -> ForwardBenchmark {
    let key = RandomKey(seed: 46)
    return ForwardBenchmark(
      batchSize: batchSize, encoder: ConvNet(inputChannels: 1, pool: 1, key: key),
      images: Tensor.randomNormal(shape: [batchSize, 1, 28, 28], key: key.folded(in: "images")),
      flopsPerBatch: FLOPCounter.forward(MethodStepBenchmark.convnetLayers, images: batchSize))
  }

  static func resnet18(batchSize: Int) -> ForwardBenchmark {
    let key = RandomKey(seed: 47)
    return ForwardBenchmark(
      batchSize: batchSize, encoder: ResNet(depth: .resnet18, stem: .cifar, inputChannels: 3, key: key),
      images: Tensor.randomNormal(shape: [batchSize, 3, 32, 32], key: key.folded(in: "images")),
      flopsPerBatch: FLOPCounter.forward(SimCLRStepBenchmark.resnet18Layers, images: batchSize))
  }

  func measure(trials: Int) -> StepFigure {
    encoder.eval()
    defer { encoder.train() }
    let seconds = Stopwatch.medianSeconds(trials: trials) { _ = encoder(images) }
    return StepFigure(batchSize: batchSize, secondsPerStep: seconds, flopsPerStep: flopsPerBatch)
  }
}
