import Testing
import _SiamTestSupport

@testable import SiamTensor

/// Siam's direct `nChw8c` convolutions (`CSiamKernels`) against `conv2dReference` and
/// against naive `Double` loops for the two gradients, on shapes that exercise every
/// border class: strides 1–3, padding 0–2, kernels 1, 3 and 5, odd extents, outputs of
/// one pixel, and channel counts that leave a single (unpaired) block.
private struct DirectCase: Sendable, CustomStringConvertible {
  var batch: Int, channels: Int, filters: Int, height: Int, width: Int
  var kernel: Int, stride: Int, padding: Int
  var description: String {
    "N\(batch) C\(channels)→\(filters) \(height)×\(width) k\(kernel) s\(stride) p\(padding)"
  }
}

private let directCases: [DirectCase] = [
  DirectCase(batch: 2, channels: 32, filters: 64, height: 28, width: 28, kernel: 3, stride: 2, padding: 1),
  DirectCase(batch: 2, channels: 64, filters: 128, height: 14, width: 14, kernel: 3, stride: 2, padding: 1),
  DirectCase(batch: 3, channels: 8, filters: 8, height: 5, width: 5, kernel: 3, stride: 1, padding: 1),
  DirectCase(batch: 2, channels: 16, filters: 24, height: 7, width: 9, kernel: 3, stride: 2, padding: 1),
  DirectCase(batch: 2, channels: 24, filters: 16, height: 6, width: 7, kernel: 1, stride: 1, padding: 0),
  DirectCase(batch: 2, channels: 8, filters: 16, height: 9, width: 8, kernel: 5, stride: 3, padding: 2),
  DirectCase(batch: 1, channels: 16, filters: 8, height: 4, width: 4, kernel: 3, stride: 1, padding: 0),
  DirectCase(batch: 1, channels: 8, filters: 8, height: 3, width: 3, kernel: 1, stride: 4, padding: 0),
]

private func shape(_ c: DirectCase) -> OneDNNConvShape {
  OneDNNConvShape(
    batch: c.batch, channels: c.channels, height: c.height, width: c.width, filters: c.filters, kernel: c.kernel,
    stride: c.stride, padding: c.padding, plainSource: false)
}

private func blocked(_ plain: Tensor) -> (Tensor, BlockedLayout) {
  let s = plain.shape
  let layout = BlockedLayout(batch: s[0], channels: s[1], height: s[2], width: s[3])
  let result = Tensor(uninitializedShape: [layout.count])
  BlockedKernel.toBlocked(plain.storage.base, layout, into: result.storage.base)
  return (result, layout)
}

private func plain(_ blocked: Tensor, _ layout: BlockedLayout) -> Tensor {
  let result = Tensor(uninitializedShape: [layout.batch, layout.channels, layout.height, layout.width])
  BlockedKernel.toPlain(blocked.storage.base, layout, into: result.storage.base)
  return result
}

/// `dX` and `dW` of `Σ g ⊙ conv(x, w)` by direct loops in `Double` (a second implementation).
private func naiveGradients(_ c: DirectCase, x: [Float], w: [Float], g: [Float]) -> (dx: [Double], dw: [Double]) {
  let (k, s, p) = (c.kernel, c.stride, c.padding)
  let oh = (c.height + 2 * p - k) / s + 1
  let ow = (c.width + 2 * p - k) / s + 1
  var dx = [Double](repeating: 0, count: x.count)
  var dw = [Double](repeating: 0, count: w.count)
  for n in 0..<c.batch {
    for f in 0..<c.filters {
      for oy in 0..<oh {
        for ox in 0..<ow {
          let gv = Double(g[((n * c.filters + f) * oh + oy) * ow + ox])
          for ch in 0..<c.channels {
            for i in 0..<k {
              let iy = oy * s - p + i
              guard iy >= 0 && iy < c.height else { continue }
              for j in 0..<k {
                let ix = ox * s - p + j
                guard ix >= 0 && ix < c.width else { continue }
                let xi = ((n * c.channels + ch) * c.height + iy) * c.width + ix
                let wi = ((f * c.channels + ch) * k + i) * k + j
                dx[xi] += Double(w[wi]) * gv
                dw[wi] += Double(x[xi]) * gv
              }
            }
          }
        }
      }
    }
  }
  return (dx, dw)
}

@Suite struct DirectConvolutionTests {
  @Test(arguments: directCases)
  fileprivate func forwardAndGradientsMatchReferences(_ c: DirectCase) throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    let direct = try #require(DirectConvolution(shape(c)))
    let x = makeTestTensor([c.batch, c.channels, c.height, c.width], seed: 3)
    let w = makeTestTensor([c.filters, c.channels, c.kernel, c.kernel], seed: 4)
    let expected = conv2dReference(x, weight: w, bias: nil, stride: c.stride, padding: c.padding)
    let g = makeTestTensor(expected.shape, seed: 5)
    let (bx, inputLayout) = blocked(x)
    let (bg, outputLayout) = blocked(g)

    let forwardWeights = Tensor(uninitializedShape: [direct.weightCount])
    direct.reorderWeights(w.storage.base, into: forwardWeights.storage.base, forData: false)
    let y = Tensor(uninitializedShape: [outputLayout.count])
    direct.forward(
      images: c.batch, source: bx.storage.base, weights: forwardWeights.storage.base, destination: y.storage.base)
    expectClose(plain(y, outputLayout), expected, absolute: 1e-5, relative: 1e-5, "forward \(c)")

    let (dxExpected, dwExpected) = naiveGradients(c, x: x.scalars, w: w.scalars, g: g.scalars)
    let dataWeights = Tensor(uninitializedShape: [direct.weightCount])
    direct.reorderWeights(w.storage.base, into: dataWeights.storage.base, forData: true)
    // Backward data overwrites every element: start from NaN to catch one it skips.
    let dx = Tensor(repeating: .nan, shape: [inputLayout.count])
    direct.backwardData(
      images: c.batch, destinationGradient: bg.storage.base, weights: dataWeights.storage.base,
      sourceGradient: dx.storage.base)
    expectClose(
      plain(dx, inputLayout).scalars.map(Double.init), dxExpected, absolute: 1e-5, relative: 1e-5, "dX \(c)")

    let dwBlocked = Tensor(zeros: [direct.weightCount])
    direct.accumulateWeightGradient(
      images: c.batch, source: bx.storage.base, destinationGradient: bg.storage.base, into: dwBlocked.storage.base)
    let dw = Tensor(uninitializedShape: w.shape)
    direct.reorderWeightGradient(dwBlocked.storage.base, to: dw.storage.base)
    expectClose(dw.scalars.map(Double.init), dwExpected, absolute: 1e-4, relative: 1e-5, "dW \(c)")
  }

  @Test func weightLayoutsPlaceEachElementAndRoundTrip() throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    let (f, ch, k) = (16, 24, 3)
    let direct = try #require(
      DirectConvolution(
        OneDNNConvShape(
          batch: 1, channels: ch, height: 5, width: 5, filters: f, kernel: k, stride: 1, padding: 1,
          plainSource: false)))
    let w = makeTestTensor([f, ch, k, k], seed: 9)
    let forward = Tensor(uninitializedShape: [direct.weightCount])
    let data = Tensor(uninitializedShape: [direct.weightCount])
    direct.reorderWeights(w.storage.base, into: forward.storage.base, forData: false)
    direct.reorderWeights(w.storage.base, into: data.storage.base, forData: true)
    for (o, i, t) in [(0, 0, 0), (5, 17, 4), (15, 23, 8), (9, 2, 7)] {
      let value = w.scalars[(o * ch + i) * k * k + t]
      // Forward: [F/8][C/8][K·K][8 in][8 out]; backward data: [C/8][F/8][K·K][8 out][8 in].
      #expect(forward.scalars[(((o / 8) * (ch / 8) + i / 8) * k * k + t) * 64 + (i % 8) * 8 + o % 8] == value)
      #expect(data.scalars[(((i / 8) * (f / 8) + o / 8) * k * k + t) * 64 + (o % 8) * 8 + i % 8] == value)
    }
    // A weight gradient comes back in the forward layout: its reorder inverts forward's.
    let back = Tensor(uninitializedShape: w.shape)
    direct.reorderWeightGradient(forward.storage.base, to: back.storage.base)
    #expect(back.isBitIdentical(to: w))
  }

  /// Chunks are independent: two calls of one image each give the bits of one call of
  /// two, and the weight gradient accumulates image after image.
  @Test func chunkedCallsGiveTheSameBits() throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    let c = directCases[1]
    let direct = try #require(DirectConvolution(shape(c)))
    let (x, inputLayout) = blocked(makeTestTensor([2, c.channels, c.height, c.width], seed: 21))
    let outputCount = c.filters * 7 * 7
    let (g, _) = blocked(makeTestTensor([2, c.filters, 7, 7], seed: 22))
    let w = makeTestTensor([c.filters, c.channels, c.kernel, c.kernel], seed: 23)
    let weights = Tensor(uninitializedShape: [direct.weightCount])
    direct.reorderWeights(w.storage.base, into: weights.storage.base, forData: false)

    let whole = Tensor(uninitializedShape: [2 * outputCount])
    direct.forward(images: 2, source: x.storage.base, weights: weights.storage.base, destination: whole.storage.base)
    let parts = Tensor(uninitializedShape: [2 * outputCount])
    for n in 0..<2 {
      direct.forward(
        images: 1, source: x.storage.base + n * inputLayout.image, weights: weights.storage.base,
        destination: parts.storage.base + n * outputCount)
    }
    #expect(parts.isBitIdentical(to: whole))

    let dwWhole = Tensor(zeros: [direct.weightCount])
    direct.accumulateWeightGradient(
      images: 2, source: x.storage.base, destinationGradient: g.storage.base, into: dwWhole.storage.base)
    let dwParts = Tensor(zeros: [direct.weightCount])
    for n in 0..<2 {
      direct.accumulateWeightGradient(
        images: 1, source: x.storage.base + n * inputLayout.image,
        destinationGradient: g.storage.base + n * outputCount, into: dwParts.storage.base)
    }
    #expect(dwParts.isBitIdentical(to: dwWhole))
  }

  @Test func layoutConversionsMatchTheBlockedLayout() throws {
    // 5 × 7 = 35 pixels: four 8-pixel transposes and a 3-pixel tail per channel block.
    let plainImages = makeTestTensor([3, 16, 5, 7], seed: 61)
    let layout = BlockedLayout(batch: 3, channels: 16, height: 5, width: 7)
    let expected = Tensor(uninitializedShape: [layout.count])
    BlockedKernel.toBlocked(plainImages.storage.base, layout, into: expected.storage.base)
    let converted = Tensor(uninitializedShape: [layout.count])
    DirectConvolution.toBlocked(
      plainImages.storage.base, images: 3, channels: 16, plane: 35, into: converted.storage.base)
    #expect(converted.isBitIdentical(to: expected))
    let back = Tensor(uninitializedShape: plainImages.shape)
    DirectConvolution.toPlain(converted.storage.base, images: 3, channels: 16, plane: 35, into: back.storage.base)
    #expect(back.isBitIdentical(to: plainImages))
  }

  /// `conv2d` on the direct kernels and on im2col + sgemm agree (both are checked against
  /// the naive loops in `Conv2dTests`), and the direct path keeps the thread invariance.
  @Test func conv2dPathsAgreeAndIgnoreTheThreadCount() throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    let g = ConvGeometry(input: [20, 16, 8, 8], weight: [24, 16, 3, 3], stride: 1, padding: 1)
    let x = makeTestTensor([20, 16, 8, 8], seed: 71)
    let w = makeTestTensor([24, 16, 3, 3], seed: 72)
    let bias = makeTestTensor([24], seed: 73)
    let dy = makeTestTensor(g.outputShape, seed: 74)
    var results: [[Tensor]] = []
    for (direct, threads) in [(true, 1), (true, 3), (false, 2)] {
      let (y, gx, gw) = Parallel.withThreadCount(threads) {
        let y = Conv2dKernel.forward(g, input: x, weight: w, bias: bias, directKernels: direct)
        let (gx, gw) = Conv2dKernel.backward(
          g, outputGradient: dy, input: x, weight: w, needsInput: true, needsWeight: true, directKernels: direct)
        return (y, gx, gw)
      }
      results.append([y, try #require(gx), try #require(gw)])
    }
    for (a, b) in zip(results[0], results[1]) { #expect(a.isBitIdentical(to: b), "1 and 3 threads") }
    for (a, b) in zip(results[0], results[2]) { expectClose(a, b, absolute: 1e-4, relative: 1e-4, "direct vs im2col") }
  }

  /// Pre-activations whose `x·scale + shift` is exactly +0, −0, NaN, negative and
  /// positive in channels 0 and 1 (`scale` 2 and 1, `shift` −1 and −0), random elsewhere.
  private func reluEdgeCases(_ layout: BlockedLayout) -> (x: Tensor, relu: ReLUMask) {
    var x = makeTestTensor([layout.count], seed: 81).scalars
    let edges: [(lane: Int, value: Float)] = [(0, 0.5), (1, -0.0), (0, .nan), (1, -2), (0, 3), (1, 0)]
    for (pixel, edge) in edges.enumerated() { x[pixel * 8 + edge.lane] = edge.value }
    var scale = makeTestTensor([layout.channels], seed: 88).scalars
    var shift = makeTestTensor([layout.channels], seed: 89).scalars
    (scale[0], shift[0], scale[1], shift[1]) = (2, -1, 1, -0.0)
    return (
      Tensor(shape: [layout.count], scalars: x),
      ReLUMask(scale: layout.laneVectors(scale), shift: layout.laneVectors(shift))
    )
  }

  /// The batch-norm passes' C twins give the Swift loops' bits, on planes with and without
  /// a 16-float remainder, with ReLU masks that meet +0, −0 and NaN.
  @Test(arguments: [(5, 7), (4, 4)])
  func batchNormPassesMatchTheirSwiftTwins(_ height: Int, _ width: Int) throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2")
    let layout = BlockedLayout(batch: 3, channels: 16, height: height, width: width)
    let (x, relu) = reluEdgeCases(layout)
    let g = makeTestTensor([layout.count], seed: 82)
    let lanes = { (seed: UInt64) in layout.laneVectors(makeTestTensor([16], seed: seed).scalars) }
    let (pivot, a, b, k) = (lanes(84), lanes(85), lanes(86), lanes(87))
    let images = 0..<3
    for (gradient, mask) in [(nil, nil), (g, nil), (g, relu)] as [(Tensor?, ReLUMask?)] {
      var sums: [[Double]] = []
      for portable in [false, true] {
        var first = [Double](repeating: 0.5, count: 16)
        var second = [Double](repeating: 0.25, count: 16)
        BlockedKernel.channelSums(
          layout, images: images, x: x.storage.base, gradient: gradient.map { UnsafePointer($0.storage.base) },
          relu: mask, pivot: pivot, first: &first, second: &second, portable: portable)
        sums.append(first + second)
      }
      #expect(
        sums[0].map(\.bitPattern) == sums[1].map(\.bitPattern),
        "channel sums, gradient \(gradient != nil), mask \(mask != nil)")
    }
    var outputs: [Tensor] = []
    for portable in [false, true] {
      let activation = Tensor(repeating: 0, shape: [layout.count])
      BlockedKernel.scaleShiftReLU(
        layout, images: 1..<3, x: x.storage.base, scale: a, shift: b,
        intoChunk: activation.storage.base + layout.image, portable: portable)
      let affine = Tensor(repeating: 0, shape: [layout.count])
      BlockedKernel.maskedAffineGradient(
        layout, images: images, gradient: g.storage.base, relu: relu, x: x.storage.base, a: a, b: b, k: k,
        into: affine.storage.base, portable: portable)
      outputs += [activation, affine]
    }
    #expect(outputs[0].isBitIdentical(to: outputs[2]), "scale, shift, ReLU")
    #expect(outputs[1].isBitIdentical(to: outputs[3]), "masked affine gradient")
    #expect(outputs[0].scalars[..<layout.image].allSatisfy { $0 == 0 }, "image 0 is outside the range")
    // The chunk starts at the range's first image: element (1, c, y, x) of the input lands
    // at the same offset in the output buffer passed (which starts one image in).
    let (xs, ys) = (x.scalars, outputs[0].scalars)
    for i in layout.image..<(3 * layout.image) where !xs[i].isNaN {
      let lane = i % 8 + 8 * ((i / 8 / layout.plane) % 2)
      let v = xs[i] * a[lane / 8][lane % 8] + b[lane / 8][lane % 8]
      #expect(ys[i].bitPattern == (v < 0 ? 0 : v).bitPattern, "element \(i)")
    }
  }

  /// The mask recomputed from the pre-activation is the one the stored ReLU output gives:
  /// both kernels mask exactly the elements where `scaleShiftReLU`'s output is ≤ 0
  /// (+0 and −0 included, NaN kept), bit for bit against a scalar loop over that output.
  @Test(arguments: [false, true])
  func theReLUMaskIsTheStoredActivations(portable: Bool) throws {
    try #require(portable || DirectConvolution.isAvailable, "needs AVX2")
    let layout = BlockedLayout(batch: 2, channels: 16, height: 3, width: 5)
    let (x, relu) = reluEdgeCases(layout)
    let g = makeTestTensor([layout.count], seed: 82)
    let ones = layout.laneVectors([Float](repeating: 1, count: 16))
    let zeros = layout.laneVectors([Float](repeating: 0, count: 16))
    let images = 0..<layout.batch
    let activation = Tensor(repeating: 0, shape: [layout.count])
    BlockedKernel.scaleShiftReLU(
      layout, images: images, x: x.storage.base, scale: relu.scale, shift: relu.shift,
      intoChunk: activation.storage.base, portable: portable)
    let stored = activation.scalars
    let expected = zip(g.scalars, stored).map { gradient, a in a <= 0 ? 0 : gradient }
    // Pixel p of image 0 holds edge p (lane 0 or 1): +0, −0, NaN, then a negative.
    #expect(stored[0] == 0 && stored[0].sign == .plus, "+0")
    #expect(stored[9] == 0 && stored[9].sign == .minus, "−0")
    #expect(stored[16].isNaN && stored[25] == 0, "NaN, negative")
    #expect(expected.filter { $0 == 0 }.count >= 3, "+0, −0 and a negative masked")

    // a = 1, b = 0, k = 0: the output is the masked gradient (x·0 + 0 is 0 for finite x;
    // the NaN pre-activation's element is compared on its own).
    let masked = Tensor(repeating: 0, shape: [layout.count])
    BlockedKernel.maskedAffineGradient(
      layout, images: images, gradient: g.storage.base, relu: relu, x: x.storage.base, a: ones, b: zeros,
      k: zeros, into: masked.storage.base, portable: portable)
    for (i, value) in masked.scalars.enumerated() where !x.scalars[i].isNaN {
      #expect(value.bitPattern == (expected[i] + 0).bitPattern, "element \(i)")
    }

    // Σg over the masked elements, per channel, against the stored-output mask.
    var first = [Double](repeating: 0, count: 16)
    var second = [Double](repeating: 0, count: 16)
    let finite = Tensor(shape: [layout.count], scalars: x.scalars.map { $0.isNaN ? 1 : $0 })
    let finiteStored = Tensor(repeating: 0, shape: [layout.count])
    BlockedKernel.scaleShiftReLU(
      layout, images: images, x: finite.storage.base, scale: relu.scale, shift: relu.shift,
      intoChunk: finiteStored.storage.base, portable: portable)
    BlockedKernel.channelSums(
      layout, images: images, x: finite.storage.base, gradient: g.storage.base, relu: relu,
      pivot: zeros, first: &first, second: &second, portable: portable)
    var reference = [Double](repeating: 0, count: 16)
    for (i, a) in finiteStored.scalars.enumerated() where a > 0 {
      reference[i % 8 + 8 * ((i / 8 / layout.plane) % 2)] += Double(g.scalars[i])
    }
    for c in 0..<16 { #expect(abs(first[c] - reference[c]) <= 1e-5 * max(1, abs(reference[c])), "channel \(c)") }
  }

  /// The first layer's weight gradient: the C twin gives the Swift loops' bits, for the
  /// one-channel 3×3 kernel held in registers and for the general loop.
  @Test(arguments: [(1, 3, 1, 12), (3, 3, 2, 9), (2, 5, 1, 7)])
  func plainSourceWeightGradientMatchesItsSwiftTwin(_ channels: Int, _ kernel: Int, _ stride: Int, _ size: Int)
    throws
  {
    try #require(DirectConvolution.isAvailable, "needs AVX2")
    let shape = OneDNNConvShape(
      batch: 3, channels: channels, height: size, width: size, filters: 16, kernel: kernel, stride: stride,
      padding: kernel / 2, plainSource: true)
    let x = makeTestTensor([3, channels, size, size], seed: 91)
    let g = makeTestTensor([3 * 16 * shape.outHeight * shape.outWidth], seed: 92)
    var results: [Tensor] = []
    for portable in [false, true] {
      let weights = makeTestTensor([16, channels, kernel, kernel], seed: 93)  // accumulates into these
      BlockedKernel.plainSourceWeightGradient(
        shape, images: 3, source: x.storage.base, outputGradient: g.storage.base, into: weights.storage.base,
        portable: portable)
      results.append(weights)
    }
    #expect(results[0].isBitIdentical(to: results[1]))
    #expect(!results[0].isBitIdentical(to: makeTestTensor([16, channels, kernel, kernel], seed: 93)))
  }

  @Test func unsupportedShapesAreRefused() {
    let base = OneDNNConvShape(
      batch: 1, channels: 8, height: 4, width: 4, filters: 8, kernel: 3, stride: 1, padding: 1, plainSource: false)
    var plainSource = base
    plainSource.plainSource = true
    var oddChannels = base
    oddChannels.channels = 12
    var oddFilters = base
    oddFilters.filters = 4
    var emptyOutput = base
    emptyOutput.kernel = 7
    var huge = base
    (huge.channels, huge.height, huge.width) = (1024, 4096, 4096)
    for refused in [plainSource, oddChannels, oddFilters, emptyOutput, huge] {
      #expect(DirectConvolution(refused) == nil, "\(refused)")
    }
  }
}
