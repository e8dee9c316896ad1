// The batch-norm bookkeeping of `convBatchNormReLUStack`: each stage's normalisation
// constants, the input-gradient coefficients, and the per-chunk channel sums that make
// the batch statistics independent of the thread count.

/// A stage's batch-norm constants: `μ`, `1/σ`, γ, β, and the normalise step as
/// `scale·y + shift` per channel block.
struct Normalisation {
  let mean: [Float], inverseStd: [Float], gamma: [Float]
  let isBatch: Bool
  let scale: [SIMD8<Float>], shift: [SIMD8<Float>], meanLanes: [SIMD8<Float>]

  init(_ layout: BlockedLayout, mean: [Float], inverseStd: [Float], gamma: [Float], beta: [Float], isBatch: Bool) {
    self.mean = mean
    self.inverseStd = inverseStd
    self.gamma = gamma
    self.isBatch = isBatch
    let scale = (0..<layout.channels).map { gamma[$0] * inverseStd[$0] }
    self.scale = layout.laneVectors(scale)
    self.shift = layout.laneVectors((0..<layout.channels).map { beta[$0] - mean[$0] * scale[$0] })
    self.meanLanes = layout.laneVectors(mean)
  }

  /// Where the ReLU after this normalisation passed its gradient, recomputed from the
  /// pre-activation.
  var reluMask: ReLUMask { ReLUMask(scale: scale, shift: shift) }
}

/// The batch-norm input gradient's `a·g + b·y + k` per channel block.
struct AffineGradient {
  let a: [SIMD8<Float>], b: [SIMD8<Float>], k: [SIMD8<Float>]
}

/// Per-chunk partial sums of one stage's channels (`channelSums`), each chunk written by
/// the one thread that owns it and combined in chunk order, so the totals do not depend
/// on the thread count. The forward statistics keep each chunk's own pivot (its first
/// image's first pixel): chunks are summed concurrently, before any batch mean exists.
final class ChunkSums: @unchecked Sendable {
  let chunks: Int, channels: Int
  private let storage: UnsafeMutablePointer<Double>
  private let pivots: UnsafeMutablePointer<Float>
  /// Elements per channel of each chunk (set with its pivot).
  private let elements: UnsafeMutablePointer<Int>

  init(chunks: Int, channels: Int) {
    self.chunks = chunks
    self.channels = channels
    storage = .allocate(capacity: 2 * chunks * channels)
    storage.initialize(repeating: 0, count: 2 * chunks * channels)
    pivots = .allocate(capacity: chunks * channels)
    pivots.initialize(repeating: 0, count: chunks * channels)
    elements = .allocate(capacity: chunks)
    elements.initialize(repeating: 0, count: chunks)
  }

  deinit {
    storage.deallocate()
    pivots.deallocate()
    elements.deallocate()
  }

  func first(_ chunk: Int) -> UnsafeMutablePointer<Double> { storage + 2 * chunk * channels }
  func second(_ chunk: Int) -> UnsafeMutablePointer<Double> { storage + (2 * chunk + 1) * channels }

  /// Sets chunk `chunk`'s pivot (one `SIMD8` per channel block) and its number of
  /// elements per channel.
  func setPivot(_ lanes: [SIMD8<Float>], chunk: Int, elements count: Int) {
    elements[chunk] = count
    for (b, lane) in lanes.enumerated() {
      for l in 0..<8 { pivots[chunk * channels + b * 8 + l] = lane[l] }
    }
  }

  /// `(Σ first, Σ second)` per channel, chunks added in order.
  func totals() -> (first: [Double], second: [Double]) {
    var first = [Double](repeating: 0, count: channels)
    var second = first
    for chunk in 0..<chunks {
      for c in 0..<channels {
        first[c] += self.first(chunk)[c]
        second[c] += self.second(chunk)[c]
      }
    }
    return (first, second)
  }

  /// The batch mean and biased variance per channel from `(Σ d, Σ d²)` about each chunk's
  /// pivot, chunks merged in order with Chan et al.'s pairwise update.
  func meanAndVariance() -> (mean: [Float], variance: [Float]) {
    var mean = [Float]()
    var variance = [Float]()
    for c in 0..<channels {
      var (n, m, m2) = (0.0, 0.0, 0.0)
      for chunk in 0..<chunks {
        let k = Double(elements[chunk])
        let s = first(chunk)[c]
        let offset = s / k
        let chunkMean = Double(pivots[chunk * channels + c]) + offset
        let chunkM2 = max(0, second(chunk)[c] - s * offset)
        let total = n + k
        let delta = chunkMean - m
        m += delta * k / total
        m2 += chunkM2 + delta * delta * n * k / total
        n = total
      }
      mean.append(Float(m))
      variance.append(Float(max(0, m2 / n)))
    }
    return (mean, variance)
  }
}
