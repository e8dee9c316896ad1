import SiamData
import SiamSSL
import SiamTensor

/// The data path of `siam bench`: augmentation throughput of the `simclr` preset, and
/// the share of a SimCLR training step spent waiting for the loader.
enum DataPathBenchmark {
  /// A dataset of random bytes (augmentation cost does not depend on content).
  static func randomDataset(count: Int, shape: [Int]) -> Dataset {
    let perImage = shape.reduce(1, *)
    var stream = RandomStream(key: RandomKey(seed: 11))
    var bytes = [UInt8](repeating: 0, count: count * perImage)
    for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: stream.next()) }
    return Dataset(
      name: "random-\(shape.map(String.init).joined(separator: "x"))", imageShape: shape,
      classCount: 10, pixels: .uint8(bytes), labels: (0..<count).map { $0 % 10 })
  }

  /// Images per second of the `simclr` preset (one view) on `shape` images, built by
  /// `workerThreads` threads without prefetching.
  static func augmentationThroughput(shape: [Int], workerThreads: Int, images: Int, trials: Int) -> Double {
    let dataset = randomDataset(count: images, shape: shape)
    let chain = AugmentationPreset.simclr.makeChain(size: shape[1], channels: shape[0])
    let loader = MultiViewLoader(
      dataset: dataset, views: [chain], batchSize: 256, seed: 1,
      workerThreads: workerThreads, prefetchDepth: 0)
    let seconds = Stopwatch.medianSeconds(trials: trials) {
      for index in 0..<loader.batchesPerEpoch { _ = loader.batch(epoch: 0, index: index) }
    }
    return Double(loader.batchesPerEpoch * loader.batchSize) / seconds
  }

  /// Runs `steps` SimCLR convnet steps fed by a prefetching loader (two `simclr` views,
  /// one worker thread) and returns the fraction of wall time spent waiting for batches.
  static func dataWaitFraction(steps: Int, batchSize: Int) -> DataWaitFigure {
    let dataset = randomDataset(count: batchSize * (steps + 1), shape: [1, 28, 28])
    let chain = AugmentationPreset.simclr.makeChain(size: 28, channels: 1)
    let loader = MultiViewLoader(
      dataset: dataset, views: [chain, chain], batchSize: batchSize, seed: 2,
      workerThreads: 1, prefetchDepth: 2)
    var step = SimCLRStepBenchmark.convnet(batchSize: batchSize)
    var waited = 0.0
    var counted = 0
    let iterator = loader.batches(epoch: 0).makeIterator()
    // The first batch includes the loader's start-up; it is the warm-up step.
    if let first = iterator.next() { step.step(views: first.views) }
    let total = Stopwatch.seconds {
      while counted < steps {
        var batch: MultiViewBatch?
        waited += Stopwatch.seconds { batch = iterator.next() }
        guard let batch else { break }
        step.step(views: batch.views)
        counted += 1
      }
    }
    return DataWaitFigure(
      steps: counted, batchSize: batchSize, waitFraction: waited / total,
      imagesPerSecond: Double(counted * batchSize) / total)
  }
}
