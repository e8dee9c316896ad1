import Foundation

extension MultiViewLoader {
  /// The batches of one epoch, in order.
  public struct Batches: Sequence {
    let loader: MultiViewLoader
    let epoch: Int

    public func makeIterator() -> BatchIterator {
      BatchIterator(loader: loader, epoch: epoch)
    }
  }

  /// Iterates one epoch's batches; with prefetching, a background thread builds them
  /// ahead. Releasing the iterator before the end stops that thread after its current batch.
  public final class BatchIterator: IteratorProtocol {
    private let loader: MultiViewLoader
    private let epoch: Int
    private let order: [Int]
    private let total: Int
    private var position = 0
    private let queue: PrefetchQueue?

    init(loader: MultiViewLoader, epoch: Int) {
      self.loader = loader
      self.epoch = epoch
      self.order = loader.order(epoch: epoch)
      self.total = loader.batchesPerEpoch
      guard loader.prefetchDepth > 0 && total > 0 else {
        queue = nil
        return
      }
      let queue = PrefetchQueue(depth: loader.prefetchDepth)
      self.queue = queue
      let (order, total) = (self.order, self.total)
      let thread = Thread {
        for index in 0..<total {
          if queue.isCancelled { return }
          let batch = loader.makeBatch(epoch: epoch, index: index, order: order)
          if !queue.push(batch) { return }
        }
      }
      thread.name = "siam.loader"
      thread.start()
    }

    deinit {
      queue?.cancel()
    }

    public func next() -> MultiViewBatch? {
      guard position < total else { return nil }
      defer { position += 1 }
      if let queue { return queue.pop() }
      return loader.makeBatch(epoch: epoch, index: position, order: order)
    }
  }
}

/// A bounded first-in first-out hand-over between the producer thread and the consumer.
final class PrefetchQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private let depth: Int
  private var ready: [MultiViewBatch] = []
  private var cancelled = false

  init(depth: Int) {
    self.depth = depth
  }

  var isCancelled: Bool { condition.withLock { cancelled } }

  /// Waits for room and appends; false when the consumer has gone.
  func push(_ batch: MultiViewBatch) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    while ready.count >= depth && !cancelled { condition.wait() }
    if cancelled { return false }
    ready.append(batch)
    condition.broadcast()
    return true
  }

  /// Waits for the next batch (the caller knows one more is coming).
  func pop() -> MultiViewBatch {
    condition.lock()
    defer { condition.unlock() }
    while ready.isEmpty { condition.wait() }
    let batch = ready.removeFirst()
    condition.broadcast()
    return batch
  }

  func cancel() {
    condition.withLock {
      cancelled = true
      condition.broadcast()
    }
  }
}
