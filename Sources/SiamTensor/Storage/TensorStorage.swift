import Foundation

/// The reference-counted buffer behind one or more `Tensor` values.
///
/// Buffers are 64-byte aligned (one cache line, one AVX-512 register) and come from
/// `BufferPool.shared`, so a training step that allocates the same activation shapes
/// every iteration reuses buffers instead of calling `malloc`.
public final class TensorStorage: @unchecked Sendable {
  /// Number of `Float` elements the buffer holds (at least the tensor's element count).
  public let capacity: Int
  /// The first element. Valid for `capacity` elements while the storage is alive.
  public let base: UnsafeMutablePointer<Float>

  /// Allocates uninitialised storage for `count` elements.
  init(uninitializedCount count: Int) {
    precondition(count >= 0, "negative element count \(count)")
    let (pointer, capacity) = BufferPool.shared.acquire(count: count)
    self.base = pointer
    self.capacity = capacity
  }

  /// Allocates storage for `count` elements, all set to `value`.
  convenience init(count: Int, repeating value: Float) {
    self.init(uninitializedCount: count)
    base.initialize(repeating: value, count: count)
  }

  deinit {
    BufferPool.shared.release(base, capacity: capacity)
  }
}

/// A thread-safe pool of aligned `Float` buffers keyed by their rounded size.
///
/// Sizes are rounded up to a multiple of 16 floats (64 bytes). The pool keeps at most
/// `maximumPooledBytes` in total; buffers beyond that are freed.
final class BufferPool: @unchecked Sendable {
  static let shared = BufferPool(maximumPooledBytes: 2 << 30)

  private let lock = NSLock()
  private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
  private var pooledBytes = 0
  private let maximumPooledBytes: Int

  init(maximumPooledBytes: Int) {
    self.maximumPooledBytes = maximumPooledBytes
  }

  static func roundedCapacity(_ count: Int) -> Int {
    max(16, (count + 15) & ~15)
  }

  func acquire(count: Int) -> (UnsafeMutablePointer<Float>, Int) {
    let capacity = Self.roundedCapacity(count)
    lock.lock()
    if var list = free[capacity], let pointer = list.popLast() {
      free[capacity] = list
      pooledBytes -= capacity * 4
      lock.unlock()
      return (pointer, capacity)
    }
    lock.unlock()
    let raw = UnsafeMutableRawPointer.allocate(byteCount: capacity * 4, alignment: 64)
    return (raw.bindMemory(to: Float.self, capacity: capacity), capacity)
  }

  func release(_ pointer: UnsafeMutablePointer<Float>, capacity: Int) {
    lock.lock()
    if pooledBytes + capacity * 4 <= maximumPooledBytes {
      free[capacity, default: []].append(pointer)
      pooledBytes += capacity * 4
      lock.unlock()
      return
    }
    lock.unlock()
    UnsafeMutableRawPointer(pointer).deallocate()
  }

  /// Frees every pooled buffer (for memory-sensitive callers and tests).
  func drain() {
    lock.lock()
    let lists = free
    free = [:]
    pooledBytes = 0
    lock.unlock()
    for list in lists.values { for pointer in list { UnsafeMutableRawPointer(pointer).deallocate() } }
  }
}
