import SiamTensor

/// A list of augmentation ops applied in order, each with the probability that it fires.
///
/// Randomness: the entry at index `i` uses the key `key.folded(in: i)`. Whether it fires
/// is `u < probability` with `u` the first uniform of `key.folded(in: i).folded(in: "gate")`,
/// and the op draws its parameters from `key.folded(in: i)` itself. So an entry's draws
/// depend only on the sample's key and its index in the chain: adding an op at the end,
/// or changing one entry's probability, leaves the other entries' draws unchanged.
/// `probability` 0 never fires, 1 always fires (`u` is in `[0, 1)`).
public struct AugmentationChain: Sendable {
  /// One op and the probability that it fires.
  public struct Entry: Sendable {
    public var op: any AugmentationOp
    /// In `[0, 1]`.
    public var probability: Float

    public init(_ op: any AugmentationOp, probability: Float = 1) {
      precondition(probability >= 0 && probability <= 1, "probability must be in [0, 1], got \(probability)")
      self.op = op
      self.probability = probability
    }
  }

  public var entries: [Entry]

  /// A chain of `entries`; the empty chain returns images unchanged.
  public init(_ entries: [Entry] = []) {
    self.entries = entries
  }

  /// This chain with `op` appended, firing with `probability`.
  public func appending(_ op: any AugmentationOp, probability: Float = 1) -> AugmentationChain {
    var copy = self
    copy.entries.append(Entry(op, probability: probability))
    return copy
  }

  /// Whether entry `index` fires for the sample whose key is `key`.
  public func fires(entry index: Int, key: RandomKey) -> Bool {
    let probability = entries[index].probability
    if probability >= 1 { return true }
    if probability <= 0 { return false }
    let gate = key.folded(in: UInt64(index)).folded(in: "gate").block(0)
    return unitFloat(gate[0]) < probability
  }

  /// The augmented image: every entry that fires, in order.
  ///
  /// - Parameters:
  ///   - image: `C, H, W`.
  ///   - key: The key of this sample and view (the loader derives it from seed, epoch,
  ///     sample index and view index).
  /// - Returns: `C, H', W'` (see `outputShape(for:)`).
  public func apply(_ image: Image, key: RandomKey) -> Image {
    var result = image
    for index in entries.indices where fires(entry: index, key: key) {
      result = entries[index].op.apply(result, key: key.folded(in: UInt64(index)))
    }
    return result
  }

  /// The shape of the output when every shape-changing entry fires.
  ///
  /// A chain whose shape-changing ops (crops, resizes) have probability 1 always gives
  /// this shape; the loader checks every image against it.
  public func outputShape(for inputShape: [Int]) -> [Int] {
    entries.reduce(inputShape) { shape, entry in entry.op.outputShape(for: shape) }
  }
}
