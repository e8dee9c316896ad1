import Foundation
import SiamTensor

/// The figures of one `siam bench` run. Encoded with snake_case keys by `jsonString()`.
public struct BenchmarkReport: Encodable, Sendable {
  public struct SgemmFigure: Encodable, Sendable {
    public var n: Int
    public var gflops: Double
  }

  public var blasCoreType: String
  public var blasCoreTypeSource: String
  public var threads: Int
  public var blasThreads: Int
  public var trials: Int
  public var sgemm: [SgemmFigure] = []
  public var conv: [ConvFigure] = []
  public var augment: [AugmentFigure] = []
  public var dataWait: DataWaitFigure?
  public var simclrConvnet: StepFigure?
  public var simclrResnet18: StepFigure?
  public var byolConvnet: StepFigure?
  public var mocov2Convnet: StepFigure?
  /// Forward passes in evaluation mode (embedding extraction), batch 256.
  public var forwardConvnet: StepFigure?
  public var forwardResnet18: StepFigure?
  /// Time inside the direct convolution kernels (`siam bench --kernel-times`), warm-up included.
  public var kernelTimes: [KernelTimes.Entry] = []

  /// sgemm GFLOP/s at 1024³ (or the first size measured).
  public var sgemmGFLOPS: Double? {
    (sgemm.first { $0.n == 1024 } ?? sgemm.first)?.gflops
  }

  private enum CodingKeys: String, CodingKey {
    case blasCoreType = "blas_core_type"
    case blasCoreTypeSource = "blas_core_type_source"
    case threads
    case blasThreads = "blas_threads"
    case trials, sgemm, conv, augment
    case dataWait = "data_wait"
    case simclrConvnet = "simclr_convnet"
    case simclrResnet18 = "simclr_resnet18"
    case sgemmGFLOPS = "sgemm_gflops"
    case simclrConvnetImagesPerSecond = "simclr_convnet_images_per_second"
    case simclrResnet18ImagesPerSecond = "simclr_resnet18_images_per_second"
    case byolConvnet = "byol_convnet"
    case mocov2Convnet = "mocov2_convnet"
    case forwardConvnet = "convnet_forward"
    case forwardResnet18 = "resnet18_forward"
    case kernelTimes = "kernel_times"
    case byolConvnetImagesPerSecond = "byol_convnet_images_per_second"
    case mocov2ConvnetImagesPerSecond = "mocov2_convnet_images_per_second"
    case forwardConvnetImagesPerSecond = "convnet_forward_images_per_second"
    case forwardResnet18ImagesPerSecond = "resnet18_forward_images_per_second"
  }

  init(blasCoreType: String, blasCoreTypeSource: String, threads: Int, blasThreads: Int, trials: Int) {
    self.blasCoreType = blasCoreType
    self.blasCoreTypeSource = blasCoreTypeSource
    self.threads = threads
    self.blasThreads = blasThreads
    self.trials = trials
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(blasCoreType, forKey: .blasCoreType)
    try c.encode(blasCoreTypeSource, forKey: .blasCoreTypeSource)
    try c.encode(threads, forKey: .threads)
    try c.encode(blasThreads, forKey: .blasThreads)
    try c.encode(trials, forKey: .trials)
    try c.encode(sgemm, forKey: .sgemm)
    try c.encode(conv, forKey: .conv)
    try c.encode(augment, forKey: .augment)
    try c.encodeIfPresent(dataWait, forKey: .dataWait)
    try c.encodeIfPresent(simclrConvnet, forKey: .simclrConvnet)
    try c.encodeIfPresent(simclrResnet18, forKey: .simclrResnet18)
    try c.encodeIfPresent(byolConvnet, forKey: .byolConvnet)
    try c.encodeIfPresent(mocov2Convnet, forKey: .mocov2Convnet)
    try c.encodeIfPresent(forwardConvnet, forKey: .forwardConvnet)
    try c.encodeIfPresent(forwardResnet18, forKey: .forwardResnet18)
    if !kernelTimes.isEmpty { try c.encode(kernelTimes, forKey: .kernelTimes) }
    // Headline figures, flat, for scripts.
    try c.encodeIfPresent(sgemmGFLOPS, forKey: .sgemmGFLOPS)
    try c.encodeIfPresent(simclrConvnet?.imagesPerSecond, forKey: .simclrConvnetImagesPerSecond)
    try c.encodeIfPresent(simclrResnet18?.imagesPerSecond, forKey: .simclrResnet18ImagesPerSecond)
    try c.encodeIfPresent(byolConvnet?.imagesPerSecond, forKey: .byolConvnetImagesPerSecond)
    try c.encodeIfPresent(mocov2Convnet?.imagesPerSecond, forKey: .mocov2ConvnetImagesPerSecond)
    try c.encodeIfPresent(forwardConvnet?.imagesPerSecond, forKey: .forwardConvnetImagesPerSecond)
    try c.encodeIfPresent(forwardResnet18?.imagesPerSecond, forKey: .forwardResnet18ImagesPerSecond)
  }

  /// One JSON object, keys sorted.
  public func jsonString() -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
  }
}

/// Forward and backward speed of one convolution shape.
public struct ConvFigure: Encodable, Sendable {
  public var name: String
  public var batch: Int
  public var forwardGFLOPS: Double
  public var backwardGFLOPS: Double

  private enum CodingKeys: String, CodingKey {
    case name, batch
    case forwardGFLOPS = "forward_gflops"
    case backwardGFLOPS = "backward_gflops"
  }
}

/// Speed of one full training step.
public struct StepFigure: Encodable, Sendable {
  public var batchSize: Int
  public var secondsPerStep: Double
  public var imagesPerSecond: Double
  /// Floating-point operations of one step (convolutions and linear layers, forward and backward).
  public var flopsPerStep: Double
  public var gflops: Double

  private enum CodingKeys: String, CodingKey {
    case batchSize = "batch_size"
    case secondsPerStep = "seconds_per_step"
    case imagesPerSecond = "images_per_second"
    case flopsPerStep = "flops_per_step"
    case gflops
  }

  init(batchSize: Int, secondsPerStep: Double, flopsPerStep: Double) {
    self.batchSize = batchSize
    self.secondsPerStep = secondsPerStep
    self.imagesPerSecond = Double(batchSize) / secondsPerStep
    self.flopsPerStep = flopsPerStep
    self.gflops = flopsPerStep / secondsPerStep / 1e9
  }
}

/// Augmentation throughput of the `simclr` preset on one image shape.
public struct AugmentFigure: Encodable, Sendable {
  public var shape: [Int]
  public var imagesPerSecondOneThread: Double
  public var imagesPerSecondAllThreads: Double
  public var threads: Int

  private enum CodingKeys: String, CodingKey {
    case shape, threads
    case imagesPerSecondOneThread = "images_per_second_one_thread"
    case imagesPerSecondAllThreads = "images_per_second_all_threads"
  }
}

/// How much of a loader-fed SimCLR step is spent waiting for the next batch.
public struct DataWaitFigure: Encodable, Sendable {
  public var steps: Int
  public var batchSize: Int
  /// Seconds blocked on the loader divided by wall seconds.
  public var waitFraction: Double
  public var imagesPerSecond: Double

  private enum CodingKeys: String, CodingKey {
    case steps
    case batchSize = "batch_size"
    case waitFraction = "wait_fraction"
    case imagesPerSecond = "images_per_second"
  }
}
