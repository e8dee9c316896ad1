import SiamTensor

/// Which samples of a loaded split to keep.
public enum DatasetSelection: Sendable, Hashable, Codable {
  /// Every sample, in file order.
  case all
  /// The first `n` samples in file order (all of them when there are fewer).
  case first(Int)
  /// A seeded, class-balanced subset of `n` samples: the same number from every class
  /// (the remainder going to the lowest class indices, and to other classes when one
  /// runs out), drawn at random within each class, kept in file order.
  case balanced(Int, seed: UInt64)

  /// A short description for names and logs (`all`, `first-1000`, `balanced-1000-s7`).
  public var label: String {
    switch self {
    case .all: "all"
    case .first(let n): "first-\(n)"
    case .balanced(let n, let seed): "balanced-\(n)-s\(seed)"
    }
  }
}

extension Dataset {
  /// The samples at `indices`, in that order (duplicates allowed).
  ///
  /// - Precondition: Every index is in `0..<count`.
  /// - Complexity: O(indices.count · C · H · W).
  public func subset(indices: [Int], name: String? = nil) -> Dataset {
    let perImage = imageShape.reduce(1, *)
    for index in indices {
      precondition(index >= 0 && index < count, "\(self.name): subset index \(index) out of range 0..<\(count)")
    }
    func gather<T>(_ values: [T]) -> [T] {
      guard let first = values.first else { return [] }
      var result = [T](repeating: first, count: indices.count * perImage)
      values.withUnsafeBufferPointer { source in
        result.withUnsafeMutableBufferPointer { target in
          for (row, index) in indices.enumerated() {
            (target.baseAddress! + row * perImage).update(from: source.baseAddress! + index * perImage, count: perImage)
          }
        }
      }
      return result
    }
    let newPixels: Pixels
    switch pixels {
    case .uint8(let bytes): newPixels = .uint8(gather(bytes))
    case .float32(let floats): newPixels = .float32(gather(floats))
    }
    return Dataset(
      name: name ?? self.name, imageShape: imageShape, classCount: classCount, pixels: newPixels,
      labels: indices.map { labels[$0] })
  }

  /// This dataset restricted by `selection` (itself for `.all`).
  ///
  /// - Throws: `DataError.invalidOption` for a non-positive `n`.
  public func selecting(_ selection: DatasetSelection) throws -> Dataset {
    switch selection {
    case .all:
      return self
    case .first(let n):
      guard n > 0 else { throw DataError(.invalidOption, "limit must be positive, got \(n)") }
      return n >= count ? self : subset(indices: Array(0..<n))
    case .balanced(let n, let seed):
      guard n > 0 else { throw DataError(.invalidOption, "limit must be positive, got \(n)") }
      return n >= count ? self : subset(indices: balancedIndices(count: n, seed: seed))
    }
  }

  /// Indices of a seeded, class-balanced subset of `n` samples, ascending.
  ///
  /// Each class's indices are shuffled with `RandomKey(seed:).folded(in: "balanced")
  /// .folded(in: class)`; classes then take turns (0, 1, …, K−1, 0, …) giving their next
  /// index until `n` are taken, skipping classes that have run out.
  public func balancedIndices(count n: Int, seed: UInt64) -> [Int] {
    let key = RandomKey(seed: seed).folded(in: "balanced")
    let queues = shuffledIndicesByClass(key: key)
    let target = min(n, queues.reduce(0) { $0 + $1.count })
    var cursors = [Int](repeating: 0, count: queues.count)
    var chosen: [Int] = []
    chosen.reserveCapacity(target)
    while chosen.count < target {
      for k in queues.indices where chosen.count < target && cursors[k] < queues[k].count {
        chosen.append(queues[k][cursors[k]])
        cursors[k] += 1
      }
    }
    return chosen.sorted()
  }

  /// Indices of a seeded, class-balanced labelled subset for semi-supervised evaluation,
  /// ascending: from every class `c` with `n_c` samples, `max(1, round(fraction · n_c))`
  /// of them drawn at random (`RandomKey(seed:).folded(in: "labeled").folded(in: c)`).
  ///
  /// - Parameter fraction: In `(0, 1]`; 1 returns every index.
  /// - Throws: `DataError.invalidOption` for a fraction outside `(0, 1]`.
  public func labeledIndices(fraction: Double, seed: UInt64) throws -> [Int] {
    guard fraction > 0, fraction <= 1 else {
      throw DataError(.invalidOption, "labeled fraction must be in (0, 1], got \(fraction)")
    }
    let queues = shuffledIndicesByClass(key: RandomKey(seed: seed).folded(in: "labeled"))
    var chosen: [Int] = []
    for queue in queues where !queue.isEmpty {
      let take = max(1, Int((fraction * Double(queue.count)).rounded()))
      chosen += queue.prefix(take)
    }
    return chosen.sorted()
  }

  /// Number of samples of each class, `classCount` entries.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels where label >= 0 && label < classCount { counts[label] += 1 }
    return counts
  }

  /// For every class, its sample indices in a seeded random order.
  private func shuffledIndicesByClass(key: RandomKey) -> [[Int]] {
    var byClass = [[Int]](repeating: [], count: classCount)
    for (index, label) in labels.enumerated() where label >= 0 && label < classCount { byClass[label].append(index) }
    return byClass.enumerated().map { k, indices in
      var stream = RandomStream(key: key.folded(in: UInt64(k)))
      return stream.shuffled(indices)
    }
  }
}
