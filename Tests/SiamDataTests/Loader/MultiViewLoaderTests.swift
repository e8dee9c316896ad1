import SiamTensor
import Testing

@testable import SiamData

@Suite struct MultiViewLoaderTests {
  /// 50 samples of 1×8×8 bytes, label = index mod 10.
  static let dataset: Dataset = {
    var stream = RandomStream(key: RandomKey(seed: 42))
    let bytes = (0..<(50 * 64)).map { _ in UInt8(stream.nextInt(below: 256)) }
    return Dataset(
      name: "test", imageShape: [1, 8, 8], classCount: 10, pixels: .uint8(bytes), labels: (0..<50).map { $0 % 10 })
  }()

  static let views: [AugmentationChain] = [
    AugmentationPreset.simclr.makeChain(size: 6, channels: 1),
    AugmentationPreset.byolView2.makeChain(size: 4, channels: 1),
  ]

  func makeLoader(workers: Int = 1, prefetch: Int = 2, dropLast: Bool = true, seed: UInt64 = 7) -> MultiViewLoader {
    MultiViewLoader(
      dataset: Self.dataset, views: Self.views, batchSize: 16, seed: seed, dropLast: dropLast,
      workerThreads: workers, prefetchDepth: prefetch)
  }

  func epoch(_ loader: MultiViewLoader, _ epoch: Int) -> [MultiViewBatch] {
    Array(loader.batches(epoch: epoch))
  }

  @Test func batchesHaveViewShapesAndMatchingLabels() {
    let loader = makeLoader()
    #expect(loader.batchesPerEpoch == 3)
    let batches = epoch(loader, 0)
    #expect(batches.count == 3)
    for (i, batch) in batches.enumerated() {
      #expect(batch.index == i && batch.epoch == 0 && batch.count == 16)
      #expect(batch.views.map(\.shape) == [[16, 1, 6, 6], [16, 1, 4, 4]])
      #expect(batch.labels == batch.indices.map { $0 % 10 })
      // Blur and bilinear are convex combinations; float rounding may overshoot by an ulp.
      let outside = batch.views.flatMap(\.scalars).filter { $0 < 0 || $0 > 1 }
      #expect(outside.allSatisfy { $0 > -1e-6 && $0 < 1 + 1e-6 }, "\(outside)")
    }
  }

  @Test func batchesAreBitIdenticalAcrossThreadsAndPrefetch() {
    let reference = epoch(makeLoader(workers: 1, prefetch: 0), 1)
    for (workers, prefetch) in [(2, 0), (1, 2), (2, 3), (3, 1)] {
      let other = epoch(makeLoader(workers: workers, prefetch: prefetch), 1)
      #expect(other.count == reference.count)
      for (a, b) in zip(reference, other) {
        #expect(a.indices == b.indices && a.labels == b.labels)
        #expect(
          zip(a.views, b.views).allSatisfy { $0.isBitIdentical(to: $1) }, "workers \(workers), prefetch \(prefetch)")
      }
    }
    let single = makeLoader(workers: 2, prefetch: 0).batch(epoch: 1, index: 2)
    #expect(single.indices == reference[2].indices)
    #expect(zip(single.views, reference[2].views).allSatisfy { $0.isBitIdentical(to: $1) })
  }

  @Test func augmentationDependsOnSampleViewAndEpochOnly() {
    let loader = makeLoader(prefetch: 0)
    let batch = loader.batch(epoch: 0, index: 0)
    // Recompute sample n of view 0 from its key alone.
    let n = 3
    let sample = batch.indices[n]
    let expected = Self.views[0].apply(
      Self.dataset.image(at: sample), key: loader.sampleKey(epoch: 0, sample: sample, view: 0))
    let perImage = 36
    #expect(Array(batch.views[0].scalars[(n * perImage)..<((n + 1) * perImage)]) == expected.pixels)
    // The same sample in another epoch is augmented differently.
    let other = Self.views[0].apply(
      Self.dataset.image(at: sample), key: loader.sampleKey(epoch: 1, sample: sample, view: 0))
    #expect(other != expected)
  }

  @Test func epochsHaveDifferentOrdersAndEverySampleOnce() {
    let loader = makeLoader(dropLast: false)
    #expect(loader.batchesPerEpoch == 4)
    var orders: [[Int]] = []
    for e in 0..<3 {
      let batches = epoch(loader, e)
      #expect(batches.map(\.count) == [16, 16, 16, 2])
      let indices = batches.flatMap(\.indices)
      #expect(indices.sorted() == Array(0..<50))
      #expect(indices == loader.order(epoch: e))
      orders.append(indices)
    }
    #expect(orders[0] != orders[1] && orders[1] != orders[2])
    #expect(makeLoader(dropLast: false).order(epoch: 1) == orders[1])
    #expect(makeLoader(seed: 8).order(epoch: 1) != orders[1])
  }

  @Test func dropLastLeavesOutTheShortBatch() {
    let batches = epoch(makeLoader(dropLast: true), 0)
    #expect(batches.map(\.count) == [16, 16, 16])
    #expect(Set(batches.flatMap(\.indices)).count == 48)
  }

  @Test func stoppingEarlyDoesNotHang() {
    let loader = makeLoader(prefetch: 1)
    for _ in 0..<3 {
      var seen = 0
      for _ in loader.batches(epoch: 0) {
        seen += 1
        if seen == 1 { break }
      }
      #expect(seen == 1)
    }
    var count = 0
    loader.forEachBatch(epoch: 2) { _ in count += 1 }
    #expect(count == 3)
  }

  @Test func evaluationLoaderKeepsOrderAndNormalises() {
    let loader = MultiViewLoader.evaluation(
      dataset: Self.dataset, batchSize: 20, normalize: Normalize(mean: [0.5], std: [0.25]))
    let batches = Array(loader.batches(epoch: 0))
    #expect(batches.map(\.count) == [20, 20, 10])
    #expect(batches.flatMap(\.indices) == Array(0..<50))
    let last = batches[2]
    #expect(last.views.map(\.shape) == [[10, 1, 8, 8]])
    let image = Self.dataset.image(at: 45)
    let expected = image.pixels.map { ($0 - 0.5) / 0.25 }
    #expect(Array(last.views[0].scalars[(5 * 64)..<(6 * 64)]) == expected)
    let plain = MultiViewLoader.evaluation(dataset: Self.dataset, batchSize: 50, prefetchDepth: 0).batch(
      epoch: 0, index: 0)
    #expect(Array(plain.views[0].scalars[0..<64]) == Self.dataset.image(at: 0).pixels)
  }
}
