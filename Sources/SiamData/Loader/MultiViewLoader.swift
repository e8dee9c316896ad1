import Dispatch
import Foundation
import SiamTensor

/// Batches of several augmented views of each sample, for self-supervised training, and
/// plain batches for evaluation.
///
/// Determinism: the order of epoch `e` is a Fisher–Yates shuffle drawn from
/// `RandomKey(seed: seed).folded(in: "shuffle").folded(in: e)` (the identity order
/// without `shuffle`), and view `v` of sample `i` in epoch `e` is augmented with
/// `sampleKey(epoch: e, sample: i, view: v)`, which depends on nothing else. Batches are
/// therefore bit-identical whatever `workerThreads` and `prefetchDepth` are, and whether
/// they come from `batch(epoch:index:)` or from an iterator.
///
/// Concurrency: `batches(epoch:)` and `forEachBatch(epoch:_:)` build batches ahead of the
/// consumer on one background thread, keeping at most `prefetchDepth` finished batches
/// waiting; inside a batch the samples are split over `workerThreads` threads in a fixed
/// partition. The default (1 worker, depth 2) overlaps a training step that uses BLAS's two
/// threads with one core's worth of augmentation. `prefetchDepth` 0 builds each batch on
/// the caller's thread when asked for.
///
/// Shapes: view `v` of a batch is `[N, C, H_v, W_v]` with `[C, H_v, W_v]` the output
/// shape of chain `v` on the dataset's image shape; `N = batchSize` except for the last,
/// short batch of an epoch when `dropLast` is false.
public final class MultiViewLoader: Sendable {
  public let dataset: Dataset
  /// One chain per view.
  public let views: [AugmentationChain]
  public let batchSize: Int
  public let seed: UInt64
  public let shuffle: Bool
  public let dropLast: Bool
  /// Threads that augment the samples of one batch (≥ 1).
  public let workerThreads: Int
  /// Finished batches kept ready ahead of the consumer (0: no background thread).
  public let prefetchDepth: Int
  /// `[C, H, W]` of every view.
  public let viewShapes: [[Int]]
  private let orders = OrderCache()

  /// - Parameters:
  ///   - dataset: The samples.
  ///   - views: One augmentation chain per view (`V ≥ 1`); shape-changing ops must have
  ///     probability 1 so that each view has one size.
  ///   - batchSize: Samples per batch, positive.
  ///   - seed: Root of every random draw of the loader.
  ///   - shuffle: Whether each epoch has its own random order.
  ///   - dropLast: Whether a last batch shorter than `batchSize` is left out.
  ///   - workerThreads: Threads augmenting one batch; the result does not depend on it.
  ///   - prefetchDepth: Batches built ahead by the background thread; 0 for none.
  public init(
    dataset: Dataset, views: [AugmentationChain], batchSize: Int, seed: UInt64, shuffle: Bool = true,
    dropLast: Bool = true, workerThreads: Int = 1, prefetchDepth: Int = 2
  ) {
    precondition(!views.isEmpty, "a loader needs at least one view")
    precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
    precondition(workerThreads >= 1, "worker threads must be at least 1, got \(workerThreads)")
    precondition(prefetchDepth >= 0, "prefetch depth must be non-negative, got \(prefetchDepth)")
    self.dataset = dataset
    self.views = views
    self.batchSize = batchSize
    self.seed = seed
    self.shuffle = shuffle
    self.dropLast = dropLast
    self.workerThreads = workerThreads
    self.prefetchDepth = prefetchDepth
    self.viewShapes = views.map { $0.outputShape(for: dataset.imageShape) }
  }

  /// The evaluation loader: one view, no augmentation (only `normalize` when given), the
  /// dataset's order, and a short last batch.
  public static func evaluation(
    dataset: Dataset, batchSize: Int, normalize: Normalize? = nil, workerThreads: Int = 1, prefetchDepth: Int = 2
  ) -> MultiViewLoader {
    let chain = normalize.map { AugmentationChain().appending($0) } ?? AugmentationChain()
    return MultiViewLoader(
      dataset: dataset, views: [chain], batchSize: batchSize, seed: 0, shuffle: false, dropLast: false,
      workerThreads: workerThreads, prefetchDepth: prefetchDepth)
  }

  /// Number of batches in every epoch.
  public var batchesPerEpoch: Int {
    dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
  }

  /// The sample indices of epoch `epoch` in the order they are served.
  ///
  /// - Complexity: O(count) on the first call for an epoch; the last epoch's order is cached.
  public func order(epoch: Int) -> [Int] {
    guard shuffle else { return Array(0..<dataset.count) }
    return orders.order(epoch: epoch) {
      var stream = RandomStream(key: RandomKey(seed: seed).folded(in: "shuffle").folded(in: UInt64(epoch)))
      return stream.shuffled(Array(0..<dataset.count))
    }
  }

  /// The key of view `view` of sample `sample` in epoch `epoch`.
  public func sampleKey(epoch: Int, sample: Int, view: Int) -> RandomKey {
    epochKey(epoch).folded(in: UInt64(sample)).folded(in: UInt64(view))
  }

  private func epochKey(_ epoch: Int) -> RandomKey {
    RandomKey(seed: seed).folded(in: "augment").folded(in: UInt64(epoch))
  }

  /// Batch `index` of epoch `epoch`, built on the calling thread (and `workerThreads − 1`
  /// helpers).
  public func batch(epoch: Int, index: Int) -> MultiViewBatch {
    precondition(index >= 0 && index < batchesPerEpoch, "batch \(index) out of range 0..<\(batchesPerEpoch)")
    return makeBatch(epoch: epoch, index: index, order: order(epoch: epoch))
  }

  /// The batches of epoch `epoch`, prefetched on a background thread when
  /// `prefetchDepth > 0`. Stopping the iteration early stops the thread.
  public func batches(epoch: Int) -> Batches {
    Batches(loader: self, epoch: epoch)
  }

  /// Calls `body` with every batch of epoch `epoch` in order.
  public func forEachBatch(epoch: Int, _ body: (MultiViewBatch) throws -> Void) rethrows {
    for batch in batches(epoch: epoch) { try body(batch) }
  }

  // MARK: - Assembly

  func makeBatch(epoch: Int, index: Int, order: [Int]) -> MultiViewBatch {
    let start = index * batchSize
    let indices = Array(order[start..<min(start + batchSize, order.count)])
    let count = indices.count
    let key = epochKey(epoch)
    var tensors: [Tensor] = []
    for (v, chain) in views.enumerated() {
      let shape = viewShapes[v]
      let perImage = shape.reduce(1, *)
      var tensor = Tensor(uninitializedShape: [count] + shape)
      tensor.withUnsafeMutableBufferPointer { buffer in
        let target = UncheckedSendable(buffer.baseAddress!)
        let work = { (range: Range<Int>) in
          for n in range {
            let sample = indices[n]
            let image = chain.apply(
              self.dataset.image(at: sample), key: key.folded(in: UInt64(sample)).folded(in: UInt64(v)))
            precondition(
              image.shape == shape,
              "view \(v) of sample \(sample) has shape \(image.shape), expected \(shape); give shape-changing ops probability 1"
            )
            image.pixels.withUnsafeBufferPointer {
              (target.value + n * perImage).update(from: $0.baseAddress!, count: perImage)
            }
          }
        }
        let parts = min(workerThreads, count)
        if parts <= 1 {
          work(0..<count)
        } else {
          let box = UncheckedSendable(work)
          DispatchQueue.concurrentPerform(iterations: parts) { part in
            box.value(Parallel.range(part: part, of: parts, count: count))
          }
        }
      }
      tensors.append(tensor)
    }
    return MultiViewBatch(
      views: tensors, labels: indices.map { dataset.labels[$0] }, indices: indices, epoch: epoch, index: index)
  }
}

/// The order of the most recent epoch, shared by the threads that ask for it.
private final class OrderCache: @unchecked Sendable {
  private let lock = NSLock()
  private var cached: (epoch: Int, order: [Int])?

  func order(epoch: Int, _ make: () -> [Int]) -> [Int] {
    if let hit = lock.withLock({ cached }), hit.epoch == epoch { return hit.order }
    let order = make()
    lock.withLock { cached = (epoch, order) }
    return order
  }
}
