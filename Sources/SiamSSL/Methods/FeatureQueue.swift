import SiamNN
import SiamTensor

/// A FIFO queue of `K` key embeddings per slot (MoCo's dictionary), as a value.
///
/// `features` is `[S, K, D]`: `S` slots (1 for MoCo v2; 2 for the symmetric MoCo v2+,
/// one per view, as solo-learn keeps them), each a ring of `K` rows. All slots share one
/// write `pointer`: `enqueue` overwrites rows `pointer, pointer+1, …` (mod `K`), the
/// oldest entries, and advances it by `N`. MoCo keeps the queue in its state module's
/// buffers (`queue`, `queue_ptr`) and round-trips through this type each step.
public struct FeatureQueue: Sendable {
  /// The stored keys, `[S, K, D]`.
  public private(set) var features: Tensor
  /// The next row to overwrite, in `0..<K`.
  public private(set) var pointer: Int

  /// `S`, the number of slots.
  public var slotCount: Int { features.shape[0] }
  /// `K`, the rows per slot.
  public var size: Int { features.shape[1] }
  /// `D`, the width of a key.
  public var width: Int { features.shape[2] }

  /// - Precondition: `features` is `[S, K, D]` with `K > 0` and `0 ≤ pointer < K`.
  public init(features: Tensor, pointer: Int) {
    precondition(
      features.rank == 3 && features.shape[1] > 0, "FeatureQueue: features \(features.shape) must be [S, K, D]")
    precondition(
      pointer >= 0 && pointer < features.shape[1], "FeatureQueue: pointer \(pointer) outside 0..<\(features.shape[1])")
    self.features = features.detached()
    self.pointer = pointer
  }

  /// The queue a method keeps in `module`'s buffers `queue` and `queue_ptr`.
  init(buffersOf module: Module) {
    self.init(features: module.localTensor("queue"), pointer: Int(module.localTensor("queue_ptr").scalar))
  }

  /// Writes the queue into `module`'s buffers `queue` and `queue_ptr` (added by
  /// `addBuffers(to:)`).
  func store(in module: Module) {
    module.setLocalTensor("queue", features)
    module.setLocalTensor("queue_ptr", Tensor(Float(pointer)))
  }

  /// Registers the queue as `module`'s buffers `queue` and `queue_ptr`.
  func addBuffers(to module: Module) {
    module.addBuffer("queue", features)
    module.addBuffer("queue_ptr", Tensor(Float(pointer)))
  }

  /// A queue of L2-normalised standard-normal vectors drawn from `key` (MoCo's
  /// initialisation), pointer 0.
  public static func random(slots: Int, size: Int, width: Int, key: RandomKey) -> FeatureQueue {
    let draws = Tensor.randomNormal(shape: [slots, size, width], key: key)
    return FeatureQueue(features: l2Normalized(draws, alongAxis: 2), pointer: 0)
  }

  /// The keys of `slot`, `[K, D]` (constant: no gradient flows into the queue).
  public func keys(slot: Int) -> Tensor {
    precondition(slot >= 0 && slot < slotCount, "FeatureQueue: slot \(slot) of \(slotCount)")
    return features.slice(alongAxis: 0, slot..<(slot + 1)).reshaped(to: [size, width])
  }

  /// The row of `slot` most similar (largest dot product) to each row of `z`, the first
  /// one on a tie: NNCLR's nearest neighbours in its support set. Untracked.
  ///
  /// - Parameter z: `[N, D]` (L2-normalised rows give the cosine nearest neighbour).
  /// - Returns: `[N, D]`, row `i` the neighbour of `z[i]`; and the index of each.
  public func nearestNeighbours(of z: Tensor, slot: Int = 0) -> (rows: Tensor, indices: [Int]) {
    precondition(z.rank == 2 && z.shape[1] == width, "FeatureQueue: queries \(z.shape) must be [N, \(width)]")
    let n = z.shape[0]
    let k = size
    let d = width
    let support = keys(slot: slot)
    let similarities = matmul(z.detached(), support, transposeB: true)
    var indices = [Int](repeating: 0, count: n)
    similarities.withUnsafeBufferPointer { s in
      for i in 0..<n {
        var best = 0
        for j in 1..<k where s[i * k + j] > s[i * k + best] { best = j }
        indices[i] = best
      }
    }
    var rows = Tensor(zeros: [n, d])
    rows.withUnsafeMutableBufferPointer { out in
      support.withUnsafeBufferPointer { q in
        for i in 0..<n {
          for j in 0..<d { out[i * d + j] = q[indices[i] * d + j] }
        }
      }
    }
    return (rows, indices)
  }

  /// Writes one batch of keys per slot over the oldest rows and advances the pointer.
  ///
  /// - Parameter batches: `S` tensors `[N, D]` (detached), `N ≤ K`.
  public mutating func enqueue(_ batches: [Tensor]) {
    precondition(batches.count == slotCount, "FeatureQueue: \(batches.count) batches for \(slotCount) slots")
    let n = batches[0].shape[0]
    let k = size
    let d = width
    precondition(
      batches.allSatisfy { $0.shape == [n, d] } && n <= k,
      "FeatureQueue: batches \(batches.map(\.shape)) must be [N, \(d)] with N ≤ \(k)")
    let start = pointer
    features.withUnsafeMutableBufferPointer { queue in
      for (slot, batch) in batches.enumerated() {
        batch.withUnsafeBufferPointer { rows in
          for i in 0..<n {
            let destination = (slot * k + (start + i) % k) * d
            for j in 0..<d { queue[destination + j] = rows[i * d + j] }
          }
        }
      }
    }
    pointer = (start + n) % k
  }
}

/// Throws `invalidConfiguration` for `queueSize` unless `size` is a positive multiple of
/// `batchSize` (a queue that fills `N` rows a step), suggesting the nearest such size.
func requireQueueSize(_ size: Int, batchSize: Int, what: String) throws {
  try require(
    size > 0 && size % batchSize == 0, "queueSize",
    "the \(what) size \(size) must be a positive multiple of the batch size \(batchSize) "
      + "(for example \(Swift.max(1, size / batchSize) * batchSize))")
}
