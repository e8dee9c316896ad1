import Foundation

extension Tensor {
  /// Uniform samples in `[lower, upper)`; element `i` depends only on `key` and `i`.
  public static func randomUniform(shape: [Int], lower: Float = 0, upper: Float = 1, key: RandomKey) -> Tensor {
    var result = Tensor(uninitializedShape: shape)
    let span = upper - lower
    let blocks = (result.count + 3) / 4
    let n = result.count
    let out = UncheckedSendable(result.storage.base)
    Parallel.forEach(blocks, costPerItem: 64) { range in
      for b in range {
        let bits = key.block(UInt64(b))
        for w in 0..<4 where b * 4 + w < n {
          out.value[b * 4 + w] = lower + span * unitFloat(bits[w])
        }
      }
    }
    _ = result.isUniquelyReferenced()
    return result
  }

  /// Normal samples (Box–Muller); element `i` depends only on `key` and `i`.
  public static func randomNormal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1, key: RandomKey) -> Tensor
  {
    var result = Tensor(uninitializedShape: shape)
    let n = result.count
    let out = UncheckedSendable(result.storage.base)
    Parallel.forEach((n + 1) / 2, costPerItem: 64) { range in
      for pair in range {
        let bits = key.block(UInt64(pair))
        // u1 in (0, 1] so that log(u1) is finite.
        let u1 = (Float(bits[0] >> 8) + 1) * (1.0 / 16_777_216.0)
        let u2 = unitFloat(bits[1])
        let radius = (-2 * logf(u1)).squareRoot()
        let angle = 2 * Float.pi * u2
        out.value[2 * pair] = mean + standardDeviation * radius * cosf(angle)
        if 2 * pair + 1 < n { out.value[2 * pair + 1] = mean + standardDeviation * radius * sinf(angle) }
      }
    }
    _ = result.isUniquelyReferenced()
    return result
  }
}
