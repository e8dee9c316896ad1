import Foundation
import SiamData
import SiamNN
import SiamTensor

/// The hyperparameters of a pretraining run that are not the method's: how long, with
/// which batches, optimizer and learning-rate schedule, from which seed, and how often to
/// report, checkpoint and run the kNN monitor.
///
/// Defaults follow SimCLR (Chen et al., 2020) scaled to this engine's datasets: 100
/// epochs of batch 256, LARS with base rate 0.3 per 256 images (see
/// `OptimizerConfiguration`), λ = 1e-6 without decay on biases and normalisation, 10
/// warmup epochs from 0 and a cosine to 0.
///
/// Learning rate at global step `k` (`W` warmup steps, `T` total steps, `η` the peak rate,
/// `η_end = finalLearningRateFraction · η`), computed by `WarmupCosineSchedule`:
///
///     η_k = η · k / W                                                   k < W
///     η_k = η_end + (η − η_end) · (1 + cos(π (k − W)/(T − W))) / 2       W ≤ k ≤ T
///
/// Seeds: `seed` is the run's root. `methodKey` (the method's initialisation and random
/// queue) and `loaderSeed` (shuffling and augmentation) are derived from it, so that one
/// number reproduces a run.
public struct PretrainingConfiguration: Codable, Sendable, Hashable {
  /// Passes over the dataset.
  public var epochs: Int = 100
  /// `N`, samples per step; the last partial batch of an epoch is dropped.
  public var batchSize: Int = 256
  public var optimizer: OptimizerConfiguration = OptimizerConfiguration()
  /// Epochs of linear warmup from `warmupStartFraction · η` to `η`.
  public var warmupEpochs: Int = 10
  /// Where the warmup starts, as a fraction of the peak rate.
  public var warmupStartFraction: Float = 0
  /// Where the cosine ends, as a fraction of the peak rate.
  public var finalLearningRateFraction: Float = 0
  /// The run's root seed.
  public var seed: UInt64 = 0
  /// Observers hear of every `logEverySteps`-th step (and the last of each epoch).
  public var logEverySteps: Int = 50
  /// A checkpoint is written every this many epochs (and after the last one).
  public var checkpointEveryEpochs: Int = 1
  /// Besides the latest checkpoint, keep those of every epoch that is a multiple of this
  /// (nil: only the latest).
  public var keepCheckpointEveryEpochs: Int? = nil
  /// The kNN monitor runs after every this many epochs (and after the last); nil: never.
  /// Needs a monitor closure given to the `Pretrainer`.
  public var knnEveryEpochs: Int? = 10

  public init(
    epochs: Int = 100, batchSize: Int = 256, optimizer: OptimizerConfiguration = OptimizerConfiguration(),
    warmupEpochs: Int = 10, warmupStartFraction: Float = 0, finalLearningRateFraction: Float = 0, seed: UInt64 = 0,
    logEverySteps: Int = 50, checkpointEveryEpochs: Int = 1, keepCheckpointEveryEpochs: Int? = nil,
    knnEveryEpochs: Int? = 10
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.optimizer = optimizer
    self.warmupEpochs = warmupEpochs
    self.warmupStartFraction = warmupStartFraction
    self.finalLearningRateFraction = finalLearningRateFraction
    self.seed = seed
    self.logEverySteps = logEverySteps
    self.checkpointEveryEpochs = checkpointEveryEpochs
    self.keepCheckpointEveryEpochs = keepCheckpointEveryEpochs
    self.knnEveryEpochs = knnEveryEpochs
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = PretrainingConfiguration()
    // An explicit null turns the kNN monitor off; an absent key keeps the default.
    let knnEveryEpochs =
      try c.contains(.knnEveryEpochs) ? c.decodeIfPresent(Int.self, forKey: .knnEveryEpochs) : d.knnEveryEpochs
    self.init(
      epochs: try c.decode(.epochs, default: d.epochs),
      batchSize: try c.decode(.batchSize, default: d.batchSize),
      optimizer: try c.decode(.optimizer, default: d.optimizer),
      warmupEpochs: try c.decode(.warmupEpochs, default: d.warmupEpochs),
      warmupStartFraction: try c.decode(.warmupStartFraction, default: d.warmupStartFraction),
      finalLearningRateFraction: try c.decode(.finalLearningRateFraction, default: d.finalLearningRateFraction),
      seed: try c.decode(.seed, default: d.seed),
      logEverySteps: try c.decode(.logEverySteps, default: d.logEverySteps),
      checkpointEveryEpochs: try c.decode(.checkpointEveryEpochs, default: d.checkpointEveryEpochs),
      keepCheckpointEveryEpochs: try c.decodeIfPresent(Int.self, forKey: .keepCheckpointEveryEpochs),
      knnEveryEpochs: knnEveryEpochs)
  }

  enum CodingKeys: String, CodingKey {
    case epochs, batchSize, optimizer, warmupEpochs, warmupStartFraction, finalLearningRateFraction, seed
    case logEverySteps, checkpointEveryEpochs, keepCheckpointEveryEpochs, knnEveryEpochs
  }

  /// Encodes every key, absent values as `null` (so that a nil `knnEveryEpochs` does not
  /// decode to the default).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(epochs, forKey: .epochs)
    try c.encode(batchSize, forKey: .batchSize)
    try c.encode(optimizer, forKey: .optimizer)
    try c.encode(warmupEpochs, forKey: .warmupEpochs)
    try c.encode(warmupStartFraction, forKey: .warmupStartFraction)
    try c.encode(finalLearningRateFraction, forKey: .finalLearningRateFraction)
    try c.encode(seed, forKey: .seed)
    try c.encode(logEverySteps, forKey: .logEverySteps)
    try c.encode(checkpointEveryEpochs, forKey: .checkpointEveryEpochs)
    try c.encode(keepCheckpointEveryEpochs, forKey: .keepCheckpointEveryEpochs)
    try c.encode(knnEveryEpochs, forKey: .knnEveryEpochs)
  }

  // MARK: - Derived values

  /// The key methods are initialised from (`MethodConfiguration.makeMethod(key:)`).
  public var methodKey: RandomKey { RandomKey(seed: seed).folded(in: "method") }

  /// The seed of the loader (its shuffles and augmentation draws).
  public var loaderSeed: UInt64 {
    let words = RandomKey(seed: seed).folded(in: "loader").block(0)
    return UInt64(words[0]) << 32 | UInt64(words[1])
  }

  /// The learning-rate schedule over `stepsPerEpoch · epochs` optimizer steps.
  public func learningRateSchedule(stepsPerEpoch: Int) -> WarmupCosineSchedule {
    let peak = optimizer.peakLearningRate(batchSize: batchSize)
    return WarmupCosineSchedule(
      baseValue: peak, warmupSteps: warmupEpochs * stepsPerEpoch, totalSteps: epochs * stepsPerEpoch,
      warmupStartValue: warmupStartFraction * peak, finalValue: finalLearningRateFraction * peak)
  }

  /// The training loader for `dataset` with one chain per view: batches of `batchSize`
  /// drawn from `loaderSeed`, shuffled, the last partial batch dropped.
  public func makeLoader(
    dataset: Dataset, views: [AugmentationChain], workerThreads: Int = 1, prefetchDepth: Int = 2
  ) -> MultiViewLoader {
    MultiViewLoader(
      dataset: dataset, views: views, batchSize: batchSize, seed: loaderSeed, shuffle: true, dropLast: true,
      workerThreads: workerThreads, prefetchDepth: prefetchDepth)
  }

  /// Whether a checkpoint is written after epoch index `epoch` (0-based).
  func checkpointIsDue(afterEpoch epoch: Int) -> Bool {
    (epoch + 1) % checkpointEveryEpochs == 0 || epoch + 1 == epochs
  }

  /// Whether the kNN monitor runs after epoch index `epoch` (0-based).
  func knnIsDue(afterEpoch epoch: Int) -> Bool {
    guard let every = knnEveryEpochs else { return false }
    return (epoch + 1) % every == 0 || epoch + 1 == epochs
  }

  // MARK: - Validation and resume checks

  /// Throws `SSLError.invalidConfiguration` for out-of-range values.
  public func validate() throws {
    try require(epochs >= 1, "epochs", "must be at least 1, got \(epochs)")
    try require(batchSize >= 2, "batchSize", "must be at least 2, got \(batchSize)")
    try optimizer.validate()
    try require(
      warmupEpochs >= 0 && warmupEpochs <= epochs, "warmupEpochs",
      "must be in 0...epochs (\(epochs)), got \(warmupEpochs)")
    try require(
      warmupStartFraction >= 0 && warmupStartFraction <= 1, "warmupStartFraction",
      "must be in [0, 1], got \(warmupStartFraction)")
    try require(
      finalLearningRateFraction >= 0 && finalLearningRateFraction <= 1, "finalLearningRateFraction",
      "must be in [0, 1], got \(finalLearningRateFraction)")
    try require(logEverySteps >= 1, "logEverySteps", "must be at least 1, got \(logEverySteps)")
    try require(checkpointEveryEpochs >= 1, "checkpointEveryEpochs", "must be at least 1, got \(checkpointEveryEpochs)")
    try require(
      keepCheckpointEveryEpochs.map { $0 >= 1 } ?? true, "keepCheckpointEveryEpochs",
      "must be at least 1 when given, got \(keepCheckpointEveryEpochs.map(String.init) ?? "nil")")
    try require(
      knnEveryEpochs.map { $0 >= 1 } ?? true, "knnEveryEpochs",
      "must be at least 1 when given, got \(knnEveryEpochs.map(String.init) ?? "nil")")
  }

  /// The settings that shape the trajectory of the weights (everything but the reporting,
  /// checkpoint and monitor cadences); a run resumes only from a checkpoint whose
  /// trajectory settings equal its own.
  var trajectory: Trajectory {
    Trajectory(
      epochs: epochs, batchSize: batchSize, optimizer: optimizer, warmupEpochs: warmupEpochs,
      warmupStartFraction: warmupStartFraction, finalLearningRateFraction: finalLearningRateFraction, seed: seed)
  }

  /// See `trajectory`.
  struct Trajectory: Codable, Hashable {
    var epochs: Int
    var batchSize: Int
    var optimizer: OptimizerConfiguration
    var warmupEpochs: Int
    var warmupStartFraction: Float
    var finalLearningRateFraction: Float
    var seed: UInt64
  }

  /// The canonical JSON of the configuration (sorted keys), as stored in checkpoints.
  public var canonicalJSON: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Encoding plain numbers, strings and booleans cannot fail.
    return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
  }
}
