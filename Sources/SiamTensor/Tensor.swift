/// An n-dimensional array of `Float32` in row-major order; images are `N, C, H, W`.
///
/// `Tensor` is a `Sendable` value type over copy-on-write `TensorStorage`: copies are
/// cheap and a mutation copies the buffer only when it is shared. A tensor may carry a
/// `Tracker` that records it on a `Tape` during `valueAndGradient`; untracked tensors
/// record nothing and cost nothing extra.
public struct Tensor: Sendable {
  /// The extent of each axis. A scalar has shape `[]`.
  public private(set) var shape: [Int]
  @usableFromInline var storage: TensorStorage
  /// Set while the tensor takes part in a differentiated computation.
  var tracker: Tracker?

  /// Number of elements (the product of `shape`).
  public var count: Int { shape.reduce(1, *) }
  /// Number of axes.
  public var rank: Int { shape.count }

  // MARK: - Creation

  /// Makes a tensor over existing storage (used by kernels that wrote the storage).
  init(shape: [Int], storage: TensorStorage) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(storage.capacity >= shape.reduce(1, *), "storage too small for shape \(shape)")
    self.shape = shape
    self.storage = storage
    self.tracker = nil
  }

  /// A tensor with uninitialised contents, for kernels that overwrite every element.
  public init(uninitializedShape shape: [Int]) {
    self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
  }

  /// A tensor with every element equal to `value`.
  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, storage: TensorStorage(count: shape.reduce(1, *), repeating: value))
  }

  /// A tensor of zeros.
  public init(zeros shape: [Int]) {
    self.init(repeating: 0, shape: shape)
  }

  /// A tensor of ones.
  public init(ones shape: [Int]) {
    self.init(repeating: 1, shape: shape)
  }

  /// A tensor holding `scalars` in row-major order.
  ///
  /// - Precondition: `scalars.count` equals the product of `shape`.
  public init(shape: [Int], scalars: [Float]) {
    precondition(
      shape.reduce(1, *) == scalars.count,
      "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
    self.init(uninitializedShape: shape)
    scalars.withUnsafeBufferPointer { source in
      if let address = source.baseAddress { storage.base.update(from: address, count: scalars.count) }
    }
  }

  /// A rank-0 tensor.
  public init(_ scalar: Float) {
    self.init(repeating: scalar, shape: [])
  }

  /// A rank-1 tensor.
  public init(_ scalars: [Float]) {
    self.init(shape: [scalars.count], scalars: scalars)
  }

  // MARK: - Access

  /// The elements in row-major order.
  public var scalars: [Float] {
    Array(UnsafeBufferPointer(start: storage.base, count: count))
  }

  /// The only element of a one-element tensor.
  public var scalar: Float {
    precondition(count == 1, "scalar of a tensor with shape \(shape)")
    return storage.base[0]
  }

  /// The element at a multi-index (slow; for tests and diagnostics).
  public subscript(index: Int...) -> Float {
    get { storage.base[flatIndex(index)] }
    set {
      let offset = flatIndex(index)
      makeUnique()
      storage.base[offset] = newValue
    }
  }

  func flatIndex(_ index: [Int]) -> Int {
    precondition(index.count == rank, "index \(index) for shape \(shape)")
    var offset = 0
    for (axis, i) in index.enumerated() {
      precondition(i >= 0 && i < shape[axis], "index \(index) out of range for shape \(shape)")
      offset = offset * shape[axis] + i
    }
    return offset
  }

  /// Calls `body` with the elements; the pointer is valid only inside `body`.
  @inlinable
  public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
    try withExtendedLifetime(storage) {
      try body(UnsafeBufferPointer(start: storage.base, count: shape.reduce(1, *)))
    }
  }

  /// Calls `body` with mutable elements, copying the storage first if it is shared.
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
  ) rethrows -> R {
    makeUnique()
    return try withExtendedLifetime(storage) {
      try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }
  }

  /// Whether the storage is referenced by this value only (then in-place updates are safe).
  mutating func isUniquelyReferenced() -> Bool {
    isKnownUniquelyReferenced(&storage)
  }

  /// Copies the storage if another tensor shares it.
  mutating func makeUnique() {
    if !isKnownUniquelyReferenced(&storage) {
      let copy = TensorStorage(uninitializedCount: count)
      copy.base.update(from: storage.base, count: count)
      storage = copy
    }
  }

  /// Same elements, new shape, sharing storage (no gradient tracking; see `reshaped(to:)`).
  func viewing(shape newShape: [Int]) -> Tensor {
    precondition(newShape.reduce(1, *) == count, "cannot view shape \(shape) as \(newShape)")
    return Tensor(shape: newShape, storage: storage)
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", …" : "")])"
  }
}

extension Tensor {
  /// Whether two tensors have the same shape and bit-identical elements.
  public func isBitIdentical(to other: Tensor) -> Bool {
    guard shape == other.shape else { return false }
    return withUnsafeBufferPointer { a in
      other.withUnsafeBufferPointer { b in
        zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
      }
    }
  }
}
