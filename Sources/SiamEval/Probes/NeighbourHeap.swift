/// A bounded min-heap that keeps the `capacity` best neighbours of one query.
///
/// Order: a neighbour is better when its similarity is higher, or equal with a lower
/// train index. The root is the worst kept neighbour, so a scan rejects most candidates
/// with one comparison.
struct NeighbourHeap {
  struct Neighbour {
    var similarity: Float
    var index: Int
  }

  let capacity: Int
  private(set) var elements: [Neighbour] = []

  init(capacity: Int) {
    precondition(capacity >= 1, "heap capacity must be positive, got \(capacity)")
    self.capacity = capacity
    elements.reserveCapacity(capacity)
  }

  mutating func removeAll() {
    elements.removeAll(keepingCapacity: true)
  }

  /// Whether `a` ranks below `b` (lower similarity, or equal and later index).
  @inline(__always)
  static func isWorse(_ a: Neighbour, than b: Neighbour) -> Bool {
    a.similarity < b.similarity || (a.similarity == b.similarity && a.index > b.index)
  }

  /// Offers candidates `0..<count` of a similarity row, in index order.
  ///
  /// Scanning in index order means a candidate that only ties the root has a larger
  /// index than it and is rejected, which is exactly the tie rule.
  mutating func select(from row: UnsafePointer<Float>, count: Int) {
    var index = 0
    while index < count && elements.count < capacity {
      insert(Neighbour(similarity: row[index], index: index))
      index += 1
    }
    guard index < count else { return }
    var threshold = elements[0].similarity
    while index < count {
      let s = row[index]
      if s > threshold {
        elements[0] = Neighbour(similarity: s, index: index)
        siftDown(0)
        threshold = elements[0].similarity
      }
      index += 1
    }
  }

  private mutating func insert(_ neighbour: Neighbour) {
    elements.append(neighbour)
    var child = elements.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard Self.isWorse(elements[child], than: elements[parent]) else { break }
      elements.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(_ start: Int) {
    var parent = start
    let n = elements.count
    while true {
      let left = 2 * parent + 1
      guard left < n else { return }
      var worst = left
      if left + 1 < n && Self.isWorse(elements[left + 1], than: elements[left]) { worst = left + 1 }
      guard Self.isWorse(elements[worst], than: elements[parent]) else { return }
      elements.swapAt(worst, parent)
      parent = worst
    }
  }
}
