import Foundation
import SiamTensor
import Testing

@testable import SiamEval

/// Brute force in Double: every similarity, a full sort by (similarity ↓, index ↑), the
/// first k vote with exp(s/T).
func referenceVotes(train: FeatureSet, test: FeatureSet, k: Int, temperature: Double) -> [Double] {
  func normalized(_ x: Tensor) -> [[Double]] {
    (0..<x.shape[0]).map { row in
      let v = (0..<x.shape[1]).map { Double(x[row, $0]) }
      let norm = max(v.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
      return v.map { $0 / norm }
    }
  }
  let bank = normalized(train.features)
  let queries = normalized(test.features)
  var votes = [Double](repeating: 0, count: test.count * train.classCount)
  for (q, query) in queries.enumerated() {
    let similarities = bank.map { zip($0, query).reduce(0) { $0 + $1.0 * $1.1 } }
    let order = similarities.indices.sorted {
      similarities[$0] > similarities[$1] || (similarities[$0] == similarities[$1] && $0 < $1)
    }
    for j in order.prefix(k) {
      votes[q * train.classCount + train.labels[j]] += exp(similarities[j] / temperature)
    }
  }
  return votes
}

func randomFeatureSet(count: Int, dimension: Int, classes: Int, seed: UInt64, split: String) -> FeatureSet {
  let x = Tensor.randomNormal(shape: [count, dimension], key: RandomKey(seed: seed))
  var stream = RandomStream(key: RandomKey(seed: seed).folded(in: "labels"))
  let labels = (0..<count).map { _ in stream.nextInt(below: classes) }
  return FeatureSet(features: x, labels: labels, classCount: classes, split: split)
}

@Test(arguments: [1, 5, 20, 200])
func knnMatchesTheBruteForceReference(k: Int) throws {
  let train = randomFeatureSet(count: 300, dimension: 16, classes: 7, seed: 1, split: "train")
  let test = randomFeatureSet(count: 50, dimension: 16, classes: 7, seed: 2, split: "test")
  let knn = WeightedKNN(configuration: .init(k: k, temperature: 0.1, chunkSize: 16))
  let votes = knn.classVotes(train: train, test: test)
  let expected = referenceVotes(train: train, test: test, k: k, temperature: 0.1)
  expectCloseVotes(votes, expected)
  let result = try knn.evaluate(train: train, test: test)
  let reference = ClassificationMetrics(scores: expected, labels: test.labels, classCount: 7)
  #expect(result.top1 == reference.top1 && result.top5 == reference.top5)
  #expect(result.protocol.kind == .knn && result.protocol.k == k && result.protocol.temperature == 0.1)
}

func expectCloseVotes(_ actual: [Double], _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(actual.count == expected.count, sourceLocation: sourceLocation)
  for (a, e) in zip(actual, expected) where abs(a - e) > 1e-4 * max(1, abs(e)) {
    Issue.record("vote \(a) vs reference \(e)", sourceLocation: sourceLocation)
    return
  }
}

@Test func knnBreaksTiesByTrainIndexThenClass() throws {
  // Train points on the axes (exact similarities); duplicates with different labels tie.
  let train = FeatureSet(
    features: Tensor(shape: [6, 3], scalars: [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1]),
    labels: [2, 1, 0, 1, 0, 2], classCount: 3, split: "train")
  let test = FeatureSet(
    features: Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 1, 0, 0, 0, 1]), labels: [2, 0, 2], classCount: 3,
    split: "test")
  for k in [1, 2, 3, 4] {
    let knn = WeightedKNN(configuration: .init(k: k, chunkSize: 2))
    expectCloseVotes(
      knn.classVotes(train: train, test: test), referenceVotes(train: train, test: test, k: k, temperature: 0.1))
  }
  // k = 1: query e1 ties rows 0, 1, 4 → row 0 (label 2); e2 ties rows 2, 3 → row 2 (label 0).
  let one = try WeightedKNN(configuration: .init(k: 1)).evaluate(train: train, test: test)
  #expect(one.top1 == 1)
  // k = 2 on e2: rows 2 and 3 give equal votes to classes 0 and 1 → class 0 (lower index).
  let votes = WeightedKNN(configuration: .init(k: 2)).classVotes(train: train, test: test)
  #expect(votes[3] == votes[4] && votes[3] > 0)
  let two = try WeightedKNN(configuration: .init(k: 2)).evaluate(train: train, test: test)
  #expect(two.confusion[0][0] == 1)
}

@Test func knnChunkSizeDoesNotChangeResults() throws {
  let train = randomFeatureSet(count: 500, dimension: 8, classes: 5, seed: 3, split: "train")
  let test = randomFeatureSet(count: 77, dimension: 8, classes: 5, seed: 4, split: "test")
  let results = try [1, 7, 64, 77, 1000].map { chunk in
    try WeightedKNN(configuration: .init(k: 20, chunkSize: chunk)).evaluate(train: train, test: test)
  }
  for result in results.dropFirst() {
    #expect(
      result.top1 == results[0].top1 && result.top5 == results[0].top5 && result.confusion == results[0].confusion)
  }
}

@Test func knnRejectsBadConfigurations() {
  let train = randomFeatureSet(count: 10, dimension: 4, classes: 2, seed: 5, split: "train")
  #expect(throws: EvalError.self) { try WeightedKNN(configuration: .init(k: 11)).evaluate(train: train, test: train) }
  #expect(throws: EvalError.self) { try WeightedKNN(configuration: .init(k: 0)).evaluate(train: train, test: train) }
  #expect(throws: EvalError.self) {
    try WeightedKNN(configuration: .init(temperature: 0)).evaluate(train: train, test: train)
  }
}

@Test func classificationMetricsRankTiesByClassIndex() {
  // Row 0 ranks 6, 0, 1, …: label 1 is third. Row 1 ranks 0, 1, …, 6: label 6 is seventh.
  let scores: [Double] = [1, 1, 0, 0, 0, 0, 2, 3, 1, 1, 1, 1, 1, 1]
  let metrics = ClassificationMetrics(scores: scores, labels: [1, 6], classCount: 7)
  #expect(metrics.top1 == 0)
  #expect(metrics.top5 == 0.5)
  #expect(metrics.confusion[1][6] == 1 && metrics.confusion[6][0] == 1)
  // With fewer than five classes top-5 counts everything.
  #expect(ClassificationMetrics(scores: [0, 1, 1, 0] as [Double], labels: [0, 0], classCount: 2).top5 == 1)
}
