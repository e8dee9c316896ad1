import Foundation
import SiamTensor

/// The weighted k-nearest-neighbour monitor of InstDisc (Wu et al. 2018) and MoCo, on
/// frozen features.
///
/// For each test feature `q` (L2-normalised) the cosine similarities `s_j = q·t_j` to
/// every L2-normalised train feature are computed, the `k` most similar train samples
/// are kept, each votes for its label with weight `exp(s_j / T)`, and classes are ranked
/// by their summed votes.
///
/// Deterministic ties: neighbours are ranked by similarity, descending, then by train
/// index, ascending (of equal similarities the earlier train sample is kept); classes by
/// vote, descending, then class index, ascending (`ClassificationMetrics`). Votes are
/// summed in Double.
///
/// Memory: the similarities are computed `chunkSize` test rows at a time
/// (`[chunkSize, N_train]` floats, one `matmul`), so the full `N_test × N_train` matrix
/// never exists. Within a chunk the top-k selection runs on `Parallel.forEach`.
public struct WeightedKNN: Sendable {
  /// Settings of the monitor; every field is recorded in the protocol.
  public struct Configuration: Codable, Sendable, Hashable {
    /// Neighbours per query (InstDisc: 200; also commonly 20).
    public var k: Int = 200
    /// `T` in `exp(s/T)`.
    public var temperature: Double = 0.1
    /// Test rows per similarity block.
    public var chunkSize: Int = 256

    public init(k: Int = 200, temperature: Double = 0.1, chunkSize: Int = 256) {
      self.k = k
      self.temperature = temperature
      self.chunkSize = chunkSize
    }

    func validate(trainCount: Int) throws {
      try EvalError.require(k >= 1, key: "knn.k", "k must be at least 1, got \(k)")
      try EvalError.require(k <= trainCount, key: "knn.k", "k = \(k) exceeds the \(trainCount) train samples")
      try EvalError.require(
        temperature > 0 && temperature.isFinite, key: "knn.temperature",
        "temperature must be positive, got \(temperature)")
      try EvalError.require(chunkSize >= 1, key: "knn.chunk_size", "chunk size must be at least 1, got \(chunkSize)")
    }
  }

  public var configuration: Configuration

  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// Classifies `test` by votes of `train` and reports top-1/top-5.
  ///
  /// - Throws: `EvalError` for an invalid configuration or mismatched splits.
  /// - Complexity: `2·N_test·N_train·D` flops for the similarities plus
  ///   `O(N_test·N_train)` comparisons for the selection.
  public func evaluate(train: FeatureSet, test: FeatureSet) throws -> KNNResult {
    try FeatureSet.validatePair(train: train, test: test)
    try configuration.validate(trainCount: train.count)
    let votes = classVotes(train: train, test: test)
    let metrics = ClassificationMetrics(scores: votes, labels: test.labels, classCount: train.classCount)
    let record = EvaluationProtocol(
      kind: .knn, featureLayer: train.featureLayer, trainSplit: train.split, evaluationSplit: test.split,
      k: configuration.k, temperature: configuration.temperature,
      settings: ["similarity": "cosine", "weighting": "exp(s/T)", "tie_break": "lower train index, lower class"])
    return KNNResult(protocol: record, top1: metrics.top1, top5: metrics.top5, confusion: metrics.confusion)
  }

  /// The summed votes, `N_test · C` values row-major (`[N_test, C]`).
  public func classVotes(train: FeatureSet, test: FeatureSet) -> [Double] {
    let bank = l2Normalized(train.features.detached(), alongAxis: 1)
    let queries = l2Normalized(test.features.detached(), alongAxis: 1)
    let (trainCount, testCount, classes) = (train.count, test.count, train.classCount)
    let (k, temperature) = (min(configuration.k, trainCount), configuration.temperature)
    var votes = [Double](repeating: 0, count: testCount * classes)
    let trainLabels = train.labels
    var start = 0
    while start < testCount {
      let end = min(testCount, start + configuration.chunkSize)
      let similarities = matmul(queries[rows: start..<end], bank, transposeB: true)
      similarities.withUnsafeBufferPointer { s in
        votes.withUnsafeMutableBufferPointer { v in
          Parallel.forEach(end - start, costPerItem: trainCount) { range in
            var heap = NeighbourHeap(capacity: k)
            for local in range {
              heap.removeAll()
              heap.select(from: s.baseAddress! + local * trainCount, count: trainCount)
              let row = (start + local) * classes
              for neighbour in heap.elements {
                v[row + trainLabels[neighbour.index]] += Foundation.exp(Double(neighbour.similarity) / temperature)
              }
            }
          }
        }
      }
      start = end
    }
    return votes
  }
}

/// The result of `WeightedKNN.evaluate(train:test:)`.
public struct KNNResult: Codable, Sendable, Hashable {
  public var `protocol`: EvaluationProtocol
  /// Test top-1 accuracy in `[0, 1]`.
  public var top1: Double
  /// Test top-5 accuracy in `[0, 1]`.
  public var top5: Double
  /// Test confusion matrix, `confusion[label][prediction]`.
  public var confusion: [[Int]]
}
