import Dispatch
import Foundation
import Synchronization

/// The engine's CPU parallelism: a fixed partition of index ranges over a set number of
/// threads, so that every partition (and therefore every floating-point result) is the
/// same whatever the scheduling.
public enum Parallel {
  private final class Settings: @unchecked Sendable {
    let lock = NSLock()
    var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
  }
  private static let settings = Settings()

  /// This task's count set by `withThreadCount(_:_:)`, if any.
  @TaskLocal private static var scopedThreadCount: Int?

  /// Number of threads the engine's own kernels use (defaults to the number of cores;
  /// within `withThreadCount(_:_:)`, that count for the calling task).
  public static var threadCount: Int {
    get { scopedThreadCount ?? settings.lock.withLock { settings.threads } }
    set {
      precondition(newValue >= 1, "thread count must be at least 1, got \(newValue)")
      settings.lock.withLock { settings.threads = newValue }
    }
  }

  /// Runs `body` with `threadCount` equal to `threads` for the calling task only: other
  /// tasks and threads keep the process-wide setting, so concurrent tests can compare
  /// thread counts without changing each other's (or a recorded run environment's) count.
  public static func withThreadCount<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
    precondition(threads >= 1, "thread count must be at least 1, got \(threads)")
    return try $scopedThreadCount.withValue(threads) { try body() }
  }

  /// The `part`-th of `parts` contiguous, near-equal pieces of `0..<count`.
  @inlinable
  public static func range(part: Int, of parts: Int, count: Int) -> Range<Int> {
    let base = count / parts
    let extra = count % parts
    let start = part * base + min(part, extra)
    return start..<(start + base + (part < extra ? 1 : 0))
  }

  /// Runs `body` over a fixed partition of `0..<count` into at most `threadCount` pieces.
  ///
  /// Runs inline when the work is small (`count * costPerItem < minimumWork`) or one
  /// thread is configured. Blocks until every piece finished. Do not nest.
  ///
  /// - Parameters:
  ///   - count: Number of items.
  ///   - costPerItem: Rough cost of one item in elementary operations.
  ///   - body: Called once per piece with its range; pieces run concurrently.
  public static func forEach(
    _ count: Int, costPerItem: Int = 1, minimumWork: Int = 1 << 15,
    _ body: (Range<Int>) -> Void
  ) {
    guard count > 0 else { return }
    let parts = min(threadCount, count)
    if parts <= 1 || count * costPerItem < minimumWork {
      body(0..<count)
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: parts) { part in
        box.value(range(part: part, of: parts, count: count))
      }
    }
  }
}

extension Parallel {
  /// Runs `body` on at most `threadCount` threads at once, each call taking items of
  /// `0..<count` from one shared `ClaimedItems` until none are left: items go one at a time,
  /// in increasing order, to whichever thread is free.
  ///
  /// For items whose results do not depend on which thread runs them or when (each item
  /// writes its own outputs): the results are then the same as `forEach`'s, while a thread
  /// that runs slower (another process on its core) takes fewer items instead of holding
  /// up the region. Set up per-thread scratch before the loop over the items. Runs inline,
  /// one call taking every item, under the same conditions as `forEach`. Do not nest.
  ///
  /// - Parameters:
  ///   - count: Number of items.
  ///   - costPerItem: Rough cost of one item in elementary operations.
  ///   - body: Called once per thread with the items it claims; calls run concurrently.
  public static func forEachClaimed(
    _ count: Int, costPerItem: Int = 1, minimumWork: Int = 1 << 15, _ body: (ClaimedItems) -> Void
  ) {
    guard count > 0 else { return }
    let parts = min(threadCount, count)
    let items = ClaimedItems(count: count)
    if parts <= 1 || count * costPerItem < minimumWork {
      body(items)
      return
    }
    withoutActuallyEscaping(body) { body in
      let box = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: parts) { _ in box.value(items) }
    }
  }
}

/// The items of a `Parallel.forEachClaimed` region, shared by its threads: iterating
/// claims the next item not yet claimed by any thread.
public struct ClaimedItems: Sequence, IteratorProtocol, Sendable {
  private final class Counter: Sendable {
    let next = Atomic<Int>(0)
  }
  private let counter = Counter()
  private let count: Int

  init(count: Int) { self.count = count }

  public mutating func next() -> Int? {
    let item = counter.next.wrappingAdd(1, ordering: .relaxed).oldValue
    return item < count ? item : nil
  }
}

/// Wraps a value that is safe to share across the threads of one parallel region
/// (raw buffers written at disjoint offsets, a closure that only does that).
public struct UncheckedSendable<Value>: @unchecked Sendable {
  public let value: Value
  public init(_ value: Value) { self.value = value }
}
