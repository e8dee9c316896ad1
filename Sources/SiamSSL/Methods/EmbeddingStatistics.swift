import SiamTensor

/// Monitors of embedding quality computed from untracked tensors (no gradient, small
/// cost next to a step).
enum EmbeddingStatistics {
  /// The mean over dimensions of the per-dimension standard deviation (unbiased) of the
  /// L2-normalised rows of `z` `[N, D]` (SimSiam's collapse monitor, lightly's
  /// `std_of_l2_normalized`): about `1/√D` for spread embeddings, 0 at collapse.
  static func normalizedStandardDeviation(_ z: Tensor) -> Float {
    let n = z.shape[0]
    guard n > 1 else { return 0 }
    let normalized = l2Normalized(z.detached(), alongAxis: 1)
    let centered = normalized - normalized.mean(alongAxis: 0, keepingDimensions: true)
    let std = sqrt(centered.squared().sum(alongAxis: 0) / Float(n - 1))
    return std.mean().scalar
  }

  /// The mean cosine similarity of matching rows of `a` and `b` `[N, D]` (positives).
  static func positiveSimilarity(_ a: Tensor, _ b: Tensor) -> Float {
    meanCosineSimilarity(a.detached(), b.detached()).scalar
  }

  /// The mean cosine similarity of non-matching rows (`i ≠ j`) of `a` and `b` `[N, D]`
  /// (negatives across the two views).
  static func negativeSimilarity(_ a: Tensor, _ b: Tensor) -> Float {
    let n = a.shape[0]
    guard n > 1 else { return 0 }
    let x = l2Normalized(a.detached(), alongAxis: 1)
    let y = l2Normalized(b.detached(), alongAxis: 1)
    let total = matmul(x, y, transposeB: true).sum().scalar
    let diagonal = (x * y).sum().scalar
    return (total - diagonal) / Float(n * (n - 1))
  }

  /// The mean of `q · Q_j` over rows of `q` `[N, D]` and the queue `[K, D]`.
  static func queueSimilarity(_ q: Tensor, queue: Tensor) -> Float {
    let meanKey = queue.detached().mean(alongAxis: 0)
    return (q.detached().mean(alongAxis: 0) * meanKey).sum().scalar
  }
}
