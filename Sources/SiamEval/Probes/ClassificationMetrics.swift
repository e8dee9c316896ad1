/// Top-1 / top-5 accuracy and the confusion matrix of class scores.
///
/// Ranking rule (deterministic ties): classes are ordered by score, descending, and
/// equal scores by class index, ascending. The prediction is the first class; a sample
/// counts towards top-k when its label is among the first `min(k, C)` classes (so with
/// fewer than five classes top-5 is 1).
public struct ClassificationMetrics: Codable, Sendable, Hashable {
  /// Fraction of samples whose first-ranked class is the label.
  public var top1: Double
  /// Fraction of samples whose label is among the first five ranked classes.
  public var top5: Double
  /// `confusion[label][prediction]`: sample counts, `C × C`.
  public var confusion: [[Int]]
  /// `N`.
  public var sampleCount: Int

  /// Metrics of row-major scores.
  ///
  /// - Parameters:
  ///   - scores: `N · C` values, row `i` the class scores of sample `i`.
  ///   - labels: `N` labels in `0..<classCount`.
  ///   - classCount: `C`.
  public init(scores: [Double], labels: [Int], classCount: Int) {
    precondition(
      scores.count == labels.count * classCount,
      "\(scores.count) scores for \(labels.count) samples of \(classCount) classes")
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
    var top1 = 0
    var top5 = 0
    let k = min(5, classCount)
    for (row, label) in labels.enumerated() {
      let base = row * classCount
      var best = 0
      for c in 1..<max(1, classCount) where scores[base + c] > scores[base + best] { best = c }
      confusion[label][best] += 1
      if best == label { top1 += 1 }
      if Self.rank(of: label, in: scores[base..<(base + classCount)]) < k { top5 += 1 }
    }
    let n = Double(max(1, labels.count))
    self.top1 = Double(top1) / n
    self.top5 = Double(top5) / n
    self.confusion = confusion
    self.sampleCount = labels.count
  }

  /// Metrics of `Float` scores (logits).
  public init(scores: [Float], labels: [Int], classCount: Int) {
    self.init(scores: scores.map(Double.init), labels: labels, classCount: classCount)
  }

  /// The 0-based position of `label` in the ranking of `row` (ties by class index).
  static func rank(of label: Int, in row: ArraySlice<Double>) -> Int {
    let start = row.startIndex
    let own = row[start + label]
    var position = 0
    for c in 0..<row.count {
      let s = row[start + c]
      if s > own || (s == own && c < label) { position += 1 }
    }
    return position
  }

  /// The first `k` classes of a score row in ranking order.
  static func rankedClasses(_ row: ArraySlice<Double>, k: Int) -> [Int] {
    let start = row.startIndex
    let order = (0..<row.count).sorted { a, b in
      let (sa, sb) = (row[start + a], row[start + b])
      return sa > sb || (sa == sb && a < b)
    }
    return Array(order.prefix(k))
  }
}
