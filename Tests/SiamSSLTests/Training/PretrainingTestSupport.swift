import Foundation
import SiamData
import SiamNN
import SiamSSL
import SiamTensor

/// Tiny datasets, configurations and runs shared by the pretraining tests.
enum TinyRun {
  /// `count` images `1×side×side` of `classes` classes: class `c` is a bright square in
  /// quadrant `c mod 4` (a second, dimmer one for `c ≥ 4`) on Gaussian noise, as floats.
  static func dataset(count: Int = 32, side: Int = 8, classes: Int = 4, seed: UInt64 = 3) -> Dataset {
    var stream = RandomStream(key: RandomKey(seed: seed))
    var pixels: [Float] = []
    pixels.reserveCapacity(count * side * side)
    let half = side / 2
    for index in 0..<count {
      let quadrant = index % classes % 4
      let (top, left) = (quadrant / 2 * half, quadrant % 2 * half)
      for y in 0..<side {
        for x in 0..<side {
          let inside = y >= top && y < top + half && x >= left && x < left + half
          let noise = (stream.nextUnitFloat() - 0.5) * 0.2
          pixels.append(Swift.min(1, Swift.max(0, (inside ? 0.8 : 0.15) + noise)))
        }
      }
    }
    return Dataset(
      name: "tiny-quadrants", imageShape: [1, side, side], classCount: classes, pixels: .float32(pixels),
      labels: (0..<count).map { $0 % classes })
  }

  /// Two views: a crop of at least half the area resized back to `side`, and a flip.
  static func views(side: Int = 8) -> [AugmentationChain] {
    let chain = AugmentationChain()
      .appending(RandomResizedCrop(size: side, scale: 0.5...1))
      .appending(HorizontalFlip(), probability: 0.5)
    return [chain, chain]
  }

  /// 3 epochs of batch 8 (4 steps an epoch on 32 samples), warmup 1 epoch, no kNN.
  static func configuration(
    optimizer: OptimizerConfiguration = .sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false),
    epochs: Int = 3, seed: UInt64 = 11
  ) -> PretrainingConfiguration {
    PretrainingConfiguration(
      epochs: epochs, batchSize: 8, optimizer: optimizer, warmupEpochs: 1, finalLearningRateFraction: 0.1,
      seed: seed, logEverySteps: 2, knnEveryEpochs: nil)
  }

  static let encoder = EncoderConfiguration.convnet(widths: [4, 8], strides: [1, 2])

  static let simclr = MethodConfiguration.simclr(.init(projectorHiddenWidths: [16], projectorOutputFeatures: 8))
  static let moco = MethodConfiguration.mocov2(
    .init(projectorHiddenWidths: [16], projectorOutputFeatures: 8, queueSize: 16, momentum: 0.9))
  static let byol = MethodConfiguration.byol(
    .init(projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16], baseMomentum: 0.9))

  static let mocov3 = MethodConfiguration.mocov3(
    .init(projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16], baseMomentum: 0.9))
  static let nnclr = MethodConfiguration.nnclr(
    .init(projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16], queueSize: 16))
  /// With 2 local views, a queue that starts filling in the second epoch (and is full
  /// after 2 steps) and prototypes frozen during the first.
  static let swav = MethodConfiguration.swav(
    .init(projectorHiddenWidths: [16], projectorOutputFeatures: 8, prototypes: 12, queueSize: 16, queueStartEpoch: 1))
  /// With 2 local views (`localViews`), a teacher temperature warming up over 2 epochs and
  /// the last layer frozen during the first: every epoch-dependent piece crosses a resume.
  static let dino = MethodConfiguration.dino(
    .init(
      headHiddenWidths: [16], bottleneckFeatures: 8, prototypes: 12, teacherTemperature: 0.07,
      warmupTeacherTemperature: 0.04, warmupTeacherTemperatureEpochs: 2, baseMomentum: 0.9))

  /// Multi-crop local views for methods that take them: 2 crops of a quarter of the area
  /// resized to `side / 2`.
  static func localViews(_ method: MethodConfiguration, side: Int = 8) -> [AugmentationChain] {
    guard method.takesLocalViews else { return [] }
    let chain = AugmentationChain()
      .appending(RandomResizedCrop(size: side / 2, scale: 0.1...0.4))
      .appending(HorizontalFlip(), probability: 0.5)
    return [chain, chain]
  }

  /// A method built from the configuration's seed (or `keySeed` to start elsewhere).
  static func makeMethod(
    _ method: MethodConfiguration, _ configuration: PretrainingConfiguration, keySeed: UInt64? = nil,
    dataset: Dataset = TinyRun.dataset()
  ) throws -> any Method {
    try method.makeMethod(
      encoder: encoder, inputShape: dataset.imageShape, batchSize: configuration.batchSize,
      localViewCount: localViews(method).count, key: keySeed.map { RandomKey(seed: $0) } ?? configuration.methodKey)
  }

  static func makePretrainer(
    _ method: MethodConfiguration, _ configuration: PretrainingConfiguration, directory: String? = nil,
    keySeed: UInt64? = nil, observers: [any PretrainingObserver] = [], knnMonitor: Pretrainer.Monitor? = nil
  ) throws -> Pretrainer {
    let dataset = dataset()
    return try Pretrainer(
      method: try makeMethod(method, configuration, keySeed: keySeed, dataset: dataset),
      loader: configuration.makeLoader(dataset: dataset, views: views() + localViews(method), prefetchDepth: 1),
      configuration: configuration, checkpointDirectory: directory, observers: observers, knnMonitor: knnMonitor)
  }

  /// A fresh, empty temporary folder.
  static func temporaryDirectory(_ name: String = #function) -> String {
    let path = NSTemporaryDirectory() + "siam-loop-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }

  /// The keys whose tensors differ bit for bit (or exist in only one).
  static func differingKeys(_ a: [String: Tensor], _ b: [String: Tensor]) -> [String] {
    Set(a.keys).union(b.keys).sorted().filter { key in
      guard let x = a[key], let y = b[key] else { return true }
      return !x.isBitIdentical(to: y)
    }
  }
}

/// Records everything it hears.
final class RecordingObserver: PretrainingObserver {
  var starts: [PretrainingStart] = []
  var steps: [StepRecord] = []
  var progress: [TrainingProgress] = []
  var epochs: [EpochRecord] = []
  var checkpoints: [(path: String, epoch: Int)] = []

  func didStart(_ start: PretrainingStart) { starts.append(start) }
  func didFinishStep(_ record: StepRecord) { steps.append(record) }
  func didProgress(_ progress: TrainingProgress) { self.progress.append(progress) }
  func didFinishEpoch(_ record: EpochRecord) { epochs.append(record) }
  func didSaveCheckpoint(path: String, epoch: Int) { checkpoints.append((path, epoch)) }
}
