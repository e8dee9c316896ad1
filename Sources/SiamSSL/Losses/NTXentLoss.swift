import SiamTensor

/// NT-Xent, the normalised temperature-scaled cross entropy of SimCLR (Chen et al., 2020).
///
/// The `2N` embeddings of both views are L2-normalised, `sᵢⱼ = zᵢ·zⱼ` is their cosine
/// similarity, and each of the `2N` anchors classifies its positive (the other view of
/// the same sample, `p(i) = (i + N) mod 2N`) among the other `2N − 1` views (one
/// positive, `2N − 2` negatives):
///
///     ℓ = −(1/2N) Σᵢ log( exp(sᵢ,ₚ₍ᵢ₎/τ) / Σ_{k≠i} exp(sᵢₖ/τ) )
///
/// This is solo-learn's `simclr_loss_func` and lightly's `NTXentLoss` (without a memory
/// bank); the self-similarity is excluded by a large negative logit, so the whole loss is
/// one matmul, one masked add and one cross entropy over a `[2N, 2N]` matrix.
///
/// - Parameters:
///   - z1: The embeddings of the first view, `[N, D]` (need not be normalised).
///   - z2: The embeddings of the second view, `[N, D]`.
///   - temperature: `τ > 0` (SimCLR: 0.5 for CIFAR-sized batches, 0.1 on ImageNet).
/// - Returns: The mean loss over the `2N` anchors, shape `[]`.
/// - Complexity: `O(N²D)` (the similarity matrix).
public func ntXentLoss(_ z1: Tensor, _ z2: Tensor, temperature: Float) -> Tensor {
  precondition(
    z1.rank == 2 && z1.shape == z2.shape && z1.shape[0] > 0,
    "ntXentLoss: z1 \(z1.shape) and z2 \(z2.shape) must both be [N, D] with N > 0")
  precondition(temperature > 0, "ntXentLoss: temperature \(temperature) must be positive")
  let n = z1.shape[0]
  let views = 2 * n
  let z = l2Normalized(concatenated([z1, z2], alongAxis: 0), alongAxis: 1)
  let logits = matmul(z, z, transposeB: true) / temperature + selfSimilarityMask(views)
  return crossEntropy(logits: logits, labels: (0..<views).map { ($0 + n) % views })
}

/// A `[M, M]` matrix with a large negative value on the diagonal and zeros elsewhere.
///
/// Added to logits it removes each row's own entry from a softmax (`exp` underflows to 0)
/// while staying finite, so `crossEntropy`'s one-hot product stays NaN-free.
func selfSimilarityMask(_ count: Int) -> Tensor {
  var mask = Tensor(zeros: [count, count])
  mask.withUnsafeMutableBufferPointer { p in
    for i in 0..<count { p[i * count + i] = -1e9 }
  }
  return mask
}
