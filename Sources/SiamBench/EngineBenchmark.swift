import SiamNN
import SiamTensor

/// The engine benchmark behind `siam bench`: sgemm, the convolutions of the default
/// `convnet` and of ResNet-18, and full SimCLR training steps, each as a median over
/// several timed trials.
public struct EngineBenchmark: Sendable {
  /// Which parts to run and how often.
  public struct Options: Sendable {
    public var trials: Int
    public var parts: Set<Part>
    /// Smaller shapes and fewer steps (for tests of the benchmark itself).
    public var isQuick: Bool

    public init(trials: Int = 5, parts: Set<Part> = Set(Part.allCases), isQuick: Bool = false) {
      self.trials = trials
      self.parts = parts
      self.isQuick = isQuick
    }
  }

  public enum Part: String, CaseIterable, Sendable, Codable {
    case sgemm, conv, augment
    case dataWait = "data-wait"
    case simclrConvnet = "simclr-convnet"
    case simclrResnet18 = "simclr-resnet18"
    case byolConvnet = "byol-convnet"
    case mocov2Convnet = "mocov2-convnet"
    case forwardConvnet = "forward-convnet"
    case forwardResnet18 = "forward-resnet18"
  }

  public let options: Options

  public init(options: Options) {
    self.options = options
  }

  /// Runs the selected parts; `progress` receives one line per finished figure.
  public func run(progress: (String) -> Void = { _ in }) -> BenchmarkReport {
    var report = BenchmarkReport(
      blasCoreType: BLAS.info.coreType, blasCoreTypeSource: BLAS.info.coreTypeSource,
      threads: Parallel.threadCount, blasThreads: BLAS.threadCount, trials: options.trials)
    if options.parts.contains(.sgemm) {
      for n in options.isQuick ? [128] : [1024, 2048] {
        let gflops = sgemmGFLOPS(n: n)
        report.sgemm.append(.init(n: n, gflops: gflops))
        progress("sgemm \(n)³: \(format(gflops)) GFLOP/s")
      }
    }
    if options.parts.contains(.conv) {
      for shape in options.isQuick ? ConvShape.quick : ConvShape.convnet + ConvShape.resnet18 {
        let figure = convFigure(shape)
        report.conv.append(figure)
        progress(
          "conv \(figure.name): forward \(format(figure.forwardGFLOPS)) GFLOP/s, backward \(format(figure.backwardGFLOPS)) GFLOP/s"
        )
      }
    }
    if options.parts.contains(.augment) {
      for shape in [[1, 28, 28], [3, 32, 32]] {
        let images = options.isQuick ? 256 : 4096
        let one = DataPathBenchmark.augmentationThroughput(
          shape: shape, workerThreads: 1, images: images, trials: options.trials)
        let all = DataPathBenchmark.augmentationThroughput(
          shape: shape, workerThreads: Parallel.threadCount, images: images, trials: options.trials)
        let figure = AugmentFigure(
          shape: shape, imagesPerSecondOneThread: one, imagesPerSecondAllThreads: all,
          threads: Parallel.threadCount)
        report.augment.append(figure)
        progress(
          "augment simclr \(shape.map(String.init).joined(separator: "×")): \(format(one)) images/s on 1 thread, \(format(all)) on \(Parallel.threadCount)"
        )
      }
    }
    if options.parts.contains(.dataWait) {
      let figure = DataPathBenchmark.dataWaitFraction(
        steps: options.isQuick ? 2 : 20, batchSize: options.isQuick ? 16 : 256)
      report.dataWait = figure
      progress(
        "SimCLR convnet step fed by the loader: \(format(figure.waitFraction * 100)) % of the time waiting for data, \(format(figure.imagesPerSecond)) images/s"
      )
    }
    if options.parts.contains(.simclrConvnet) {
      let step = SimCLRStepBenchmark.convnet(batchSize: options.isQuick ? 16 : 256)
      report.simclrConvnet = step.measure(trials: options.trials)
      progress(
        "SimCLR step, convnet, batch \(step.batchSize): \(format(report.simclrConvnet!.imagesPerSecond)) images/s (\(format(report.simclrConvnet!.gflops)) GFLOP/s)"
      )
    }
    if options.parts.contains(.simclrResnet18) {
      let step = SimCLRStepBenchmark.resnet18(batchSize: options.isQuick ? 4 : 128)
      report.simclrResnet18 = step.measure(trials: max(1, min(options.trials, 3)))
      progress(
        "SimCLR step, ResNet-18, batch \(step.batchSize): \(format(report.simclrResnet18!.imagesPerSecond)) images/s (\(format(report.simclrResnet18!.gflops)) GFLOP/s)"
      )
    }
    if options.parts.contains(.byolConvnet) {
      report.byolConvnet = methodFigure("BYOL", progress: progress) {
        try MethodStepBenchmark.byolConvnet(batchSize: options.isQuick ? 16 : 256)
      }
    }
    if options.parts.contains(.mocov2Convnet) {
      report.mocov2Convnet = methodFigure("MoCo v2", progress: progress) {
        try MethodStepBenchmark.mocov2Convnet(
          batchSize: options.isQuick ? 16 : 256, queueSize: options.isQuick ? 64 : 4096)
      }
    }
    if options.parts.contains(.forwardConvnet) {
      report.forwardConvnet = forwardFigure(
        "convnet", ForwardBenchmark.convnet(batchSize: options.isQuick ? 16 : 256), progress)
    }
    if options.parts.contains(.forwardResnet18) {
      report.forwardResnet18 = forwardFigure(
        "ResNet-18", ForwardBenchmark.resnet18(batchSize: options.isQuick ? 4 : 256), progress)
    }
    return report
  }

  private func forwardFigure(_ name: String, _ forward: ForwardBenchmark, _ progress: (String) -> Void) -> StepFigure {
    let figure = forward.measure(trials: options.trials)
    progress(
      "forward, \(name), batch \(forward.batchSize): \(format(figure.imagesPerSecond)) images/s (\(format(figure.gflops)) GFLOP/s)"
    )
    return figure
  }

  private func methodFigure(
    _ name: String, progress: (String) -> Void, _ make: () throws -> MethodStepBenchmark
  ) -> StepFigure? {
    do {
      let step = try make()
      let figure = step.measure(trials: options.trials)
      progress(
        "\(name) step, convnet, batch \(step.batchSize): \(format(figure.imagesPerSecond)) images/s (\(format(figure.gflops)) GFLOP/s)"
      )
      return figure
    } catch {
      progress("\(name) step: cannot build the method: \(error)")
      return nil
    }
  }

  func sgemmGFLOPS(n: Int) -> Double {
    let a = Tensor.randomUniform(shape: [n, n], key: RandomKey(seed: 1))
    let b = Tensor.randomUniform(shape: [n, n], key: RandomKey(seed: 2))
    let seconds = Stopwatch.medianSeconds(trials: options.trials) { _ = matmul(a, b) }
    return 2 * Double(n) * Double(n) * Double(n) / seconds / 1e9
  }

  func convFigure(_ shape: ConvShape) -> ConvFigure {
    let x = Tensor.randomNormal(
      shape: [shape.batch, shape.inputChannels, shape.size, shape.size], key: RandomKey(seed: 3))
    let w = Tensor.randomNormal(
      shape: [shape.outputChannels, shape.inputChannels, 3, 3], standardDeviation: 0.1, key: RandomKey(seed: 4))
    let forward = Stopwatch.medianSeconds(trials: options.trials) {
      _ = conv2d(x, weight: w, stride: shape.stride, padding: 1)
    }
    let both = Stopwatch.medianSeconds(trials: options.trials) {
      _ = valueAndGradient(at: [x, w]) { conv2d($0[0], weight: $0[1], stride: shape.stride, padding: 1).sum() }
    }
    let flops = shape.forwardFLOPs
    // Backward computes both the input and the weight gradient: twice the forward work.
    return ConvFigure(
      name: shape.name, batch: shape.batch, forwardGFLOPS: flops / forward / 1e9,
      backwardGFLOPS: 2 * flops / max(both - forward, 1e-9) / 1e9)
  }
}

/// A 3×3, padding-1 convolution shape of the benchmark.
struct ConvShape {
  let name: String
  let batch: Int, inputChannels: Int, outputChannels: Int, size: Int, stride: Int

  var outputSize: Int { (size + 2 - 3) / stride + 1 }
  var forwardFLOPs: Double {
    2 * Double(batch * outputChannels * outputSize * outputSize * inputChannels * 9)
  }

  /// The default convnet's three convolutions on two views of a 256-image batch.
  static let convnet: [ConvShape] = [
    .init(name: "convnet.0 1→32 28×28", batch: 512, inputChannels: 1, outputChannels: 32, size: 28, stride: 1),
    .init(name: "convnet.1 32→64 s2 28→14", batch: 512, inputChannels: 32, outputChannels: 64, size: 28, stride: 2),
    .init(name: "convnet.2 64→128 s2 14→7", batch: 512, inputChannels: 64, outputChannels: 128, size: 14, stride: 2),
  ]

  /// ResNet-18 (CIFAR stem) 3×3 convolutions on two views of a 128-image batch.
  static let resnet18: [ConvShape] = [
    .init(name: "resnet18.conv1 3→64 32×32", batch: 256, inputChannels: 3, outputChannels: 64, size: 32, stride: 1),
    .init(name: "resnet18.layer1 64→64 32×32", batch: 256, inputChannels: 64, outputChannels: 64, size: 32, stride: 1),
    .init(
      name: "resnet18.layer2 128→128 16×16", batch: 256, inputChannels: 128, outputChannels: 128, size: 16, stride: 1),
    .init(name: "resnet18.layer3 256→256 8×8", batch: 256, inputChannels: 256, outputChannels: 256, size: 8, stride: 1),
    .init(name: "resnet18.layer4 512→512 4×4", batch: 256, inputChannels: 512, outputChannels: 512, size: 4, stride: 1),
  ]

  static let quick: [ConvShape] = [
    .init(name: "quick 3→8 s2 9×9", batch: 4, inputChannels: 3, outputChannels: 8, size: 9, stride: 2)
  ]
}

func format(_ value: Double) -> String {
  value >= 100 ? String(Int(value.rounded())) : String(Double(Int(value * 10)) / 10)
}
