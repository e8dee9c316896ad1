import Foundation
import SiamTensor

/// Weights, momentum buffers and scratch space of the linear probe's SGD, with one
/// hand-written minibatch step (forward, softmax cross entropy, backward, update).
///
/// Shapes: `weight` `[C, D]`, `bias` `[C]`; scratch `[B, D]` inputs and `[B, C]` logits.
final class SoftmaxRegressionState {
  let classes: Int
  let dimension: Int
  var weight: [Float]
  var bias: [Float]
  private var weightVelocity: [Float]
  private var biasVelocity: [Float]
  private var inputs: [Float]
  private var logits: [Float]
  private var weightGradient: [Float]

  init(classes: Int, dimension: Int, maximumBatch: Int) {
    self.classes = classes
    self.dimension = dimension
    weight = [Float](repeating: 0, count: classes * dimension)
    bias = [Float](repeating: 0, count: classes)
    weightVelocity = weight
    biasVelocity = bias
    inputs = [Float](repeating: 0, count: maximumBatch * dimension)
    logits = [Float](repeating: 0, count: maximumBatch * classes)
    weightGradient = weight
  }

  /// One SGD step on the samples `rows` of `x` `[N, D]`; returns the batch's mean
  /// objective `CE + λ/2·‖W‖²` before the update.
  ///
  /// Update (PyTorch SGD with zero-initialised buffers): `g = ∇ + λW`, `v = μv + g`,
  /// `W = W − η·v`, the bias likewise without decay.
  func step(
    x: [Float], labels: [Int], rows: ArraySlice<Int>, learningRate: Float, momentum: Float, weightDecay: Float
  ) -> Double {
    let (b, d, c) = (rows.count, dimension, classes)
    let bias = self.bias
    // Gather the batch.
    x.withUnsafeBufferPointer { source in
      inputs.withUnsafeMutableBufferPointer { target in
        for (slot, row) in rows.enumerated() {
          (target.baseAddress! + slot * d).update(from: source.baseAddress! + row * d, count: d)
        }
      }
    }
    // logits = X·Wᵀ + b
    logits.withUnsafeMutableBufferPointer { z in
      for slot in 0..<b { for k in 0..<c { z[slot * c + k] = bias[k] } }
      inputs.withUnsafeBufferPointer { input in
        weight.withUnsafeBufferPointer { w in
          BLAS.sgemm(
            transposeA: false, transposeB: true, m: b, n: c, k: d,
            a: input.baseAddress!, b: w.baseAddress!, beta: 1, c: z.baseAddress!)
        }
      }
    }
    // Softmax cross entropy; logits become ∂loss/∂logits = (softmax − onehot) / B.
    var loss = 0.0
    var biasGradient = [Float](repeating: 0, count: c)
    logits.withUnsafeMutableBufferPointer { z in
      let scale = 1 / Float(b)
      for (slot, row) in rows.enumerated() {
        let base = slot * c
        var maximum = z[base]
        for k in 1..<max(1, c) { maximum = max(maximum, z[base + k]) }
        var sum: Float = 0
        for k in 0..<c {
          let e = Foundation.exp(z[base + k] - maximum)
          z[base + k] = e
          sum += e
        }
        let label = labels[row]
        loss += Double(Foundation.log(sum)) - Double(Foundation.log(max(z[base + label], .leastNormalMagnitude)))
        let inverse = 1 / sum
        for k in 0..<c {
          var g = z[base + k] * inverse
          if k == label { g -= 1 }
          g *= scale
          z[base + k] = g
          biasGradient[k] += g
        }
      }
    }
    loss /= Double(b)
    // ∂W = Gᵀ·X  ([C, B]·[B, D])
    weightGradient.withUnsafeMutableBufferPointer { gw in
      logits.withUnsafeBufferPointer { g in
        inputs.withUnsafeBufferPointer { input in
          BLAS.sgemm(
            transposeA: true, transposeB: false, m: c, n: d, k: b,
            a: g.baseAddress!, b: input.baseAddress!, c: gw.baseAddress!)
        }
      }
    }
    var squaredNorm: Float = 0
    weight.withUnsafeMutableBufferPointer { w in
      weightVelocity.withUnsafeMutableBufferPointer { v in
        weightGradient.withUnsafeBufferPointer { g in
          for i in 0..<w.count {
            squaredNorm += w[i] * w[i]
            v[i] = momentum * v[i] + g[i] + weightDecay * w[i]
            w[i] -= learningRate * v[i]
          }
        }
      }
    }
    for k in 0..<c {
      biasVelocity[k] = momentum * biasVelocity[k] + biasGradient[k]
      self.bias[k] -= learningRate * biasVelocity[k]
    }
    return loss + Double(weightDecay / 2 * squaredNorm)
  }
}
