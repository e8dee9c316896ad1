import SiamData
import Testing

@Suite struct DatasetSelectionTests {
  /// 10 classes with 5, 10, 15, … 50 samples, interleaved.
  let dataset: Dataset = {
    var labels: [Int] = []
    for round in 0..<50 { for k in 0..<10 where round < 5 * (k + 1) { labels.append(k) } }
    let pixels = labels.enumerated().flatMap { i, label in [UInt8(label), UInt8(truncatingIfNeeded: i)] }
    return Dataset(name: "skewed", imageShape: [2, 1, 1], classCount: 10, pixels: .uint8(pixels), labels: labels)
  }()

  @Test func firstKeepsTheFileOrder() throws {
    let first = try dataset.selecting(.first(7))
    #expect(first.labels == Array(dataset.labels.prefix(7)))
    #expect(bytes(of: first) == Array(bytes(of: dataset).prefix(14)))
    #expect(try dataset.selecting(.first(10_000)).count == dataset.count)
    #expect(try dataset.selecting(.all).count == dataset.count)
  }

  @Test func balancedTakesTheSameNumberFromEveryClass() throws {
    let subset = try dataset.selecting(.balanced(43, seed: 1))
    #expect(subset.count == 43)
    #expect(subset.classCounts == [5, 5, 5, 4, 4, 4, 4, 4, 4, 4])
    // Pixels follow their labels (the first pixel is the label).
    #expect(
      zip(subset.labels, bytes(of: subset).enumerated().filter { $0.offset % 2 == 0 }).allSatisfy {
        $0 == Int($1.element)
      })
    // When a class runs out, the others fill in.
    let large = try dataset.selecting(.balanced(100, seed: 1))
    #expect(large.classCounts == [5, 10, 11, 11, 11, 11, 11, 10, 10, 10])
  }

  @Test func balancedIsSeededAndSorted() {
    let a = dataset.balancedIndices(count: 30, seed: 4)
    #expect(a == dataset.balancedIndices(count: 30, seed: 4))
    #expect(a != dataset.balancedIndices(count: 30, seed: 5))
    #expect(a == a.sorted())
    #expect(Set(a).count == 30)
  }

  @Test func labeledFractionIsClassBalanced() throws {
    let indices = try dataset.labeledIndices(fraction: 0.1, seed: 9)
    let labelled = dataset.subset(indices: indices)
    // round(0.1 · n_c), at least one: 5 → 1, 10 → 1, 15 → 2, 20 → 2, 25 → 3 (2.5 rounds away), ...
    #expect(labelled.classCounts == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    #expect(indices == indices.sorted())
    #expect(indices == (try dataset.labeledIndices(fraction: 0.1, seed: 9)))
    #expect(indices != (try dataset.labeledIndices(fraction: 0.1, seed: 10)))
    #expect(try dataset.labeledIndices(fraction: 1, seed: 0) == Array(0..<dataset.count))
  }

  @Test func invalidOptionsAreErrors() {
    expectDataError(.invalidOption) { _ = try dataset.selecting(.first(0)) }
    expectDataError(.invalidOption) { _ = try dataset.selecting(.balanced(-3, seed: 0)) }
    expectDataError(.invalidOption) { _ = try dataset.labeledIndices(fraction: 0, seed: 0) }
    expectDataError(.invalidOption) { _ = try dataset.labeledIndices(fraction: 1.5, seed: 0) }
  }

  @Test func subsetGathersFloatPixelsToo() {
    let floats = Dataset(
      name: "f", imageShape: [1, 1, 2], classCount: 2, pixels: .float32([0, 1, 2, 3, 4, 5]),
      labels: [0, 1, 0])
    let picked = floats.subset(indices: [2, 0, 2])
    #expect(picked.pixels == .float32([4, 5, 0, 1, 4, 5]))
    #expect(picked.labels == [0, 0, 0])
  }
}
