import SiamData
import SiamTensor

/// A seeded, class-balanced subset of a labelled split (the 1 % / 10 % label fractions
/// of semi-supervised evaluation).
///
/// Every class contributes the same number of samples,
/// `max(1, round(fraction · N / C))` with `C` the number of distinct labels present,
/// capped by the class's size. A class's samples are the first ones of a Fisher–Yates
/// shuffle of its indices drawn from
/// `RandomKey(seed).folded(in: "balanced_subset").folded(in: class)`, so a smaller
/// fraction with the same seed is a subset of a larger one.
///
/// - Parameters:
///   - labels: The split's labels (non-negative).
///   - fraction: In `(0, 1]`.
///   - seed: Root of the draw.
/// - Returns: Dataset indices, ascending.
public func balancedSubset(labels: [Int], fraction: Double, seed: UInt64) -> [Int] {
  precondition(fraction > 0 && fraction <= 1, "fraction must be in (0, 1], got \(fraction)")
  precondition(labels.allSatisfy { $0 >= 0 }, "labels must be non-negative")
  guard !labels.isEmpty else { return [] }
  var byClass = [Int: [Int]]()
  for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
  let perClass = max(1, Int((fraction * Double(labels.count) / Double(byClass.count)).rounded()))
  var chosen: [Int] = []
  for label in byClass.keys.sorted() {
    var stream = RandomStream(key: RandomKey(seed: seed).folded(in: "balanced_subset").folded(in: UInt64(label)))
    chosen += stream.shuffled(byClass[label]!).prefix(perClass)
  }
  return chosen.sorted()
}

extension Dataset {
  /// The samples at `indices`, in that order, as a new dataset named `name`.
  func selectingSamples(_ indices: [Int], name: String) -> Dataset {
    let perImage = imageShape.reduce(1, *)
    let newPixels: Pixels
    switch pixels {
    case .uint8(let bytes):
      var selected: [UInt8] = []
      selected.reserveCapacity(indices.count * perImage)
      for i in indices { selected += bytes[(i * perImage)..<((i + 1) * perImage)] }
      newPixels = .uint8(selected)
    case .float32(let floats):
      var selected: [Float] = []
      selected.reserveCapacity(indices.count * perImage)
      for i in indices { selected += floats[(i * perImage)..<((i + 1) * perImage)] }
      newPixels = .float32(selected)
    }
    return Dataset(name: name, imageShape: imageShape, classCount: classCount, pixels: newPixels,
                   labels: indices.map { labels[$0] })
  }
}
