import SiamTensor
import Testing
import _SiamTestSupport

/// Shapes for the fast-versus-naive checks: `(N, C, H, W, F, KH, KW, stride, padding)`.
/// Odd extents, non-square images and kernels, and batches that span several chunks.
private let convShapes: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
  (1, 1, 1, 1, 1, 1, 1, 1, 0),
  (2, 3, 7, 5, 4, 3, 3, 1, 1),
  (3, 2, 9, 6, 5, 3, 3, 2, 1),
  (2, 5, 6, 7, 3, 1, 1, 2, 0),
  (1, 2, 5, 5, 2, 5, 5, 1, 2),
  (2, 3, 8, 3, 2, 2, 3, 3, 1),
  (37, 4, 14, 14, 6, 3, 3, 2, 1),  // 7×7 outputs: two chunks of images
  (70, 2, 9, 9, 3, 3, 3, 1, 0),  // 7×7 outputs, several chunks with a short last one
  (3, 2, 17, 18, 3, 3, 3, 1, 1),  // 17×18 outputs: one image per chunk (no gather/scatter)
  // Channels and filters multiples of 8: the direct nChw8c kernels where the CPU has AVX2.
  (3, 8, 9, 7, 16, 3, 3, 2, 1),
  (20, 16, 8, 8, 8, 3, 3, 1, 1),  // 8 images per chunk: two full chunks and a short one
  (2, 8, 6, 5, 8, 1, 1, 1, 0),
  (2, 16, 17, 18, 8, 3, 3, 1, 1),  // one image per chunk
  (2, 8, 9, 9, 8, 5, 5, 3, 2),
]

@Suite struct Conv2dTests {
  @Test(arguments: convShapes.indices)
  func forwardMatchesReference(_ index: Int) {
    let (n, c, h, w, f, kh, kw, s, p) = convShapes[index]
    let x = makeTestTensor([n, c, h, w], seed: UInt64(index * 10 + 1))
    let weight = makeTestTensor([f, c, kh, kw], seed: UInt64(index * 10 + 2))
    let bias = makeTestTensor([f], seed: UInt64(index * 10 + 3))
    for b in [bias, nil] {
      let fast = conv2d(x, weight: weight, bias: b, stride: s, padding: p)
      expectClose(
        fast, conv2dReference(x, weight: weight, bias: b, stride: s, padding: p),
        absolute: 1e-4, relative: 1e-4, "shape #\(index) bias \(b != nil)")
    }
  }

  @Test(arguments: convShapes.indices)
  func backwardMatchesReference(_ index: Int) {
    let (n, c, h, w, f, kh, kw, s, p) = convShapes[index]
    let x = makeTestTensor([n, c, h, w], seed: UInt64(index * 10 + 4))
    let weight = makeTestTensor([f, c, kh, kw], seed: UInt64(index * 10 + 5))
    let bias = makeTestTensor([f], seed: UInt64(index * 10 + 6))
    let oh = (h + 2 * p - kh) / s + 1
    let ow = (w + 2 * p - kw) / s + 1
    let upstream = makeTestTensor([n, f, oh, ow], seed: UInt64(index * 10 + 7))
    let (_, grads) = valueAndGradient(at: [x, weight, bias]) { v in
      (conv2d(v[0], weight: v[1], bias: v[2], stride: s, padding: p) * upstream).sum()
    }
    // The naive adjoint, in Double: every (output, window element) pair adds its product.
    var gx = [Double](repeating: 0, count: x.count)
    var gw = [Double](repeating: 0, count: weight.count)
    var gb = [Double](repeating: 0, count: f)
    let xs = x.scalars
    let ws = weight.scalars
    let dy = upstream.scalars
    for i in 0..<n {
      for o in 0..<f {
        for oy in 0..<oh {
          for ox in 0..<ow {
            let g = Double(dy[((i * f + o) * oh + oy) * ow + ox])
            gb[o] += g
            for ch in 0..<c {
              for ky in 0..<kh {
                for kx in 0..<kw {
                  let iy = oy * s - p + ky
                  let ix = ox * s - p + kx
                  guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                  let xi = ((i * c + ch) * h + iy) * w + ix
                  let wi = ((o * c + ch) * kh + ky) * kw + kx
                  gx[xi] += g * Double(ws[wi])
                  gw[wi] += g * Double(xs[xi])
                }
              }
            }
          }
        }
      }
    }
    expectClose(grads[0].scalars.map(Double.init), gx, absolute: 1e-4, relative: 1e-4, "dx, shape #\(index)")
    expectClose(grads[1].scalars.map(Double.init), gw, absolute: 1e-3, relative: 1e-4, "dweight, shape #\(index)")
    expectClose(grads[2].scalars.map(Double.init), gb, absolute: 1e-3, relative: 1e-4, "dbias, shape #\(index)")
  }

  @Test func untrackedInputGetsNoWork() {
    // Only the weight is differentiated: the input gradient is skipped (first layer case),
    // and the weight gradient still matches the one computed with both.
    let x = makeTestTensor([4, 1, 6, 6], seed: 1)
    let weight = makeTestTensor([2, 1, 3, 3], seed: 2)
    let (_, both) = valueAndGradient(at: [x, weight]) { conv2d($0[0], weight: $0[1], padding: 1).squared().sum() }
    let (_, only) = valueAndGradient(at: [weight]) { conv2d(x, weight: $0[0], padding: 1).squared().sum() }
    #expect(only[0].isBitIdentical(to: both[1]))
  }
}

/// Value and gradients of `Σ w·f(inputs)` under 1 and under 2 threads must be bit-identical.
func expectThreadCountInvariant(
  _ name: String, _ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
  _ function: @escaping ([Tensor]) -> Tensor
) {
  let runs = [1, 2].map { threads in
    Parallel.withThreadCount(threads) {
      valueAndGradient(at: inputs) { v in
        let y = function(v)
        return y * makeTestTensor(y.shape, seed: 99)
      }
    }
  }
  #expect(runs[0].value.isBitIdentical(to: runs[1].value), "\(name): forward", sourceLocation: sourceLocation)
  for (i, (a, b)) in zip(runs[0].gradients, runs[1].gradients).enumerated() {
    #expect(a.isBitIdentical(to: b), "\(name): gradient \(i)", sourceLocation: sourceLocation)
  }
}

/// Thread-count invariance of every kernel in this family, on shapes big enough to split.
@Suite(.serialized) struct ThreadCountInvarianceTests {
  @Test func conv2dForwardAndBackward() {
    let x = makeTestTensor([100, 8, 9, 9], seed: 1)
    let w = makeTestTensor([16, 8, 3, 3], seed: 2)
    let b = makeTestTensor([16], seed: 3)
    expectThreadCountInvariant("conv2d s1", [x, w, b]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
    }
    expectThreadCountInvariant("conv2d s2", [x, w]) { conv2d($0[0], weight: $0[1], stride: 2, padding: 1) }
    let large = makeTestTensor([8, 3, 24, 24], seed: 10)
    let w1 = makeTestTensor([4, 3, 3, 3], seed: 11)
    expectThreadCountInvariant("conv2d one image per chunk", [large, w1, makeTestTensor([4], seed: 12)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
    }
  }

  @Test func batchNormAndPooling() {
    let x = makeTestTensor([64, 8, 12, 12], seed: 4)
    let gamma = makeTestTensor([8], seed: 5, lower: 0.5, upper: 1.5)
    let beta = makeTestTensor([8], seed: 6)
    expectThreadCountInvariant("batchNorm 4-D", [x, gamma, beta]) {
      batchNorm($0[0], gamma: $0[1], beta: $0[2], epsilon: 1e-5).output
    }
    expectThreadCountInvariant("batchNorm 2-D", [makeTestTensor([512, 64], seed: 7)]) {
      batchNorm($0[0], gamma: nil, beta: nil, epsilon: 1e-5).output
    }
    let mean = makeTestTensor([8], seed: 8)
    let variance = makeTestTensor([8], seed: 9, lower: 0.5, upper: 2)
    expectThreadCountInvariant("batchNorm inference", [x, mean, variance, gamma, beta]) {
      batchNorm($0[0], mean: $0[1], variance: $0[2], gamma: $0[3], beta: $0[4], epsilon: 1e-5)
    }
    expectThreadCountInvariant("maxPool2d", [x]) { maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
    expectThreadCountInvariant("avgPool2d", [x]) { avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1) }
    expectThreadCountInvariant("globalAveragePool", [x]) { globalAveragePool($0[0]) }
  }
}
