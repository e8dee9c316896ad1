import SiamNN
import SiamSSL
import SiamTensor

/// One SimCLR training step exactly as the PyTorch reference of `BENCHMARKS.md` does it:
/// two views through encoder + projector, NT-Xent (`ntXentLoss`) at temperature 0.5, backward, and an SGD
/// step with momentum 0.9 and weight decay 5e-4.
struct SimCLRStepBenchmark {
  let batchSize: Int
  let model: Sequential
  let views: (Tensor, Tensor)
  /// Multiply-add work of one step, counted as 2 FLOPs each (see `convnet` and `resnet18`).
  let flopsPerStep: Double
  var optimizer = SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4)

  /// The `convnet` with a global average pool (`pool: 1`, the PyTorch reference's network)
  /// on 28×28×1 with projector Linear(128→128, no bias), BN, ReLU, Linear(128→64). The
  /// default `pool: 2` differs only in the projector's input (512 instead of 128: 49k more
  /// multiply-adds per view against the 7.45M of the convolutions below, +0.7 %).
  static func convnet(batchSize: Int) -> SimCLRStepBenchmark {
    let key = RandomKey(seed: 42)
    let encoder = ConvNet(inputChannels: 1, pool: 1, key: key.folded(in: "encoder"))
    let projector = MLPHead.projector(
      inputFeatures: 128, hiddenFeatures: 128, outputFeatures: 64, key: key.folded(in: "projector"))
    let layers: [FLOPCounter.Layer] = [
      .conv(inputChannels: 1, outputChannels: 32, kernel: 3, outputSize: 28),
      .conv(inputChannels: 32, outputChannels: 64, kernel: 3, outputSize: 14),
      .conv(inputChannels: 64, outputChannels: 128, kernel: 3, outputSize: 7),
      .linear(inputs: 128, outputs: 128), .linear(inputs: 128, outputs: 64),
    ]
    return SimCLRStepBenchmark(
      batchSize: batchSize, model: Sequential([encoder, projector]),
      views: makeViews(batchSize: batchSize, shape: [1, 28, 28], key: key),
      flopsPerStep: FLOPCounter.trainingStep(layers, images: 2 * batchSize))
  }

  /// ResNet-18 (CIFAR stem) on 32×32×3 with projector Linear(512→2048, no bias), BN, ReLU,
  /// Linear(2048→128).
  static func resnet18(batchSize: Int) -> SimCLRStepBenchmark {
    let key = RandomKey(seed: 43)
    let encoder = ResNet(depth: .resnet18, stem: .cifar, inputChannels: 3, key: key.folded(in: "encoder"))
    let projector = MLPHead.projector(
      inputFeatures: 512, hiddenFeatures: 2048, outputFeatures: 128, key: key.folded(in: "projector"))
    let layers = resnet18Layers + [.linear(inputs: 512, outputs: 2048), .linear(inputs: 2048, outputs: 128)]
    return SimCLRStepBenchmark(
      batchSize: batchSize, model: Sequential([encoder, projector]),
      views: makeViews(batchSize: batchSize, shape: [3, 32, 32], key: key),
      flopsPerStep: FLOPCounter.trainingStep(layers, images: 2 * batchSize))
  }

  /// The convolutions of ResNet-18 (CIFAR stem) on 32×32×3.
  static let resnet18Layers: [FLOPCounter.Layer] = {
    var layers: [FLOPCounter.Layer] = [.conv(inputChannels: 3, outputChannels: 64, kernel: 3, outputSize: 32)]
    var channels = 64
    var size = 32
    for (stage, width) in [64, 128, 256, 512].enumerated() {
      let outputSize = stage == 0 ? size : size / 2
      layers.append(.conv(inputChannels: channels, outputChannels: width, kernel: 3, outputSize: outputSize))
      if stage > 0 {
        layers.append(.conv(inputChannels: channels, outputChannels: width, kernel: 1, outputSize: outputSize))
      }
      for _ in 0..<3 {
        layers.append(.conv(inputChannels: width, outputChannels: width, kernel: 3, outputSize: outputSize))
      }
      channels = width
      size = outputSize
    }
    return layers
  }()

  static func makeViews(batchSize: Int, shape: [Int], key: RandomKey) -> (Tensor, Tensor) {
    (
      Tensor.randomNormal(shape: [batchSize] + shape, key: key.folded(in: "view1")),
      Tensor.randomNormal(shape: [batchSize] + shape, key: key.folded(in: "view2"))
    )
  }

  /// One training step on the benchmark's fixed views; returns the loss.
  @discardableResult
  mutating func step() -> Float {
    step(views: [views.0, views.1])
  }

  /// One training step on two given views; returns the loss.
  @discardableResult
  mutating func step(views: [Tensor]) -> Float {
    let (x1, x2) = (views[0], views[1])
    let (loss, gradients) = valueAndGradient(of: model) { model in
      ntXentLoss(model(x1), model(x2), temperature: 0.5)
    }
    optimizer.update(model, gradients: gradients)
    return loss.scalar
  }

  /// The median time of `trials` steps after one warm-up step.
  func measure(trials: Int) -> StepFigure {
    var copy = self
    let seconds = Stopwatch.medianSeconds(trials: trials) { copy.step() }
    return StepFigure(batchSize: batchSize, secondsPerStep: seconds, flopsPerStep: flopsPerStep)
  }
}

/// Counts the multiply-adds of convolutions and linear layers (the work that dominates).
enum FLOPCounter {
  enum Layer {
    case conv(inputChannels: Int, outputChannels: Int, kernel: Int, outputSize: Int)
    case linear(inputs: Int, outputs: Int)

    /// Forward FLOPs for one image (2 per multiply-add).
    var forwardFLOPs: Double {
      switch self {
      case .conv(let c, let f, let k, let size): 2 * Double(c * f * k * k * size * size)
      case .linear(let i, let o): 2 * Double(i * o)
      }
    }
  }

  /// Forward + backward FLOPs of a step over `images` images: the backward pass costs twice
  /// the forward (input and weight gradients) except for the first layer, which needs no
  /// input gradient.
  static func trainingStep(_ layers: [Layer], images: Int) -> Double {
    3 * forward(layers, images: images) - Double(images) * (layers.first?.forwardFLOPs ?? 0)
  }

  /// Forward FLOPs of `layers` over `images` images.
  static func forward(_ layers: [Layer], images: Int) -> Double {
    Double(images) * layers.reduce(0) { $0 + $1.forwardFLOPs }
  }
}
