import Testing
import _SiamTestSupport

@testable import SiamTensor

/// `convBatchNormReLUStack` (oneDNN convolutions on `nChw8c`, fused batch norm + ReLU,
/// blocked pooling) against the same network composed from the separate ops, which are
/// themselves checked against naive loops and finite differences.
private struct StackCase: Sendable {
  var batch: Int, channels: Int, size: Int
  var widths: [Int], strides: [Int], pool: Int
}

private let stackCases: [StackCase] = [
  // Two chunks, the second short (16 + 4); a 1-channel first layer (the Swift weight gradient).
  StackCase(batch: 20, channels: 1, size: 12, widths: [8, 16], strides: [1, 2], pool: 2),
  // A 3-channel first layer (oneDNN's own weight gradient), stride 2 first, global pool.
  StackCase(batch: 16, channels: 3, size: 9, widths: [8, 8], strides: [2, 1], pool: 1),
  // A stride-2 one-channel first layer on an odd extent (the padded planes' far edge).
  StackCase(batch: 5, channels: 1, size: 11, widths: [8], strides: [2], pool: 2),
  // Two channels: whichever weight-gradient path oneDNN leaves to Siam.
  StackCase(batch: 4, channels: 2, size: 7, widths: [16, 8], strides: [1, 1], pool: 1),
  // The shipped convnet's shapes, 35 images (two full chunks and a short one).
  StackCase(batch: 35, channels: 1, size: 28, widths: [32, 64, 128], strides: [1, 2, 2], pool: 2),
]

private func makeStages(_ c: StackCase, seed: UInt64, evaluation: Bool = false) -> [ConvStackStage] {
  var channels = c.channels
  return c.widths.indices.map { i in
    let f = c.widths[i]
    defer { channels = f }
    let s = seed + UInt64(10 * i)
    return ConvStackStage(
      weight: makeTestTensor([f, channels, 3, 3], seed: s, lower: -0.5, upper: 0.5),
      gamma: makeTestTensor([f], seed: s + 1, lower: 0.5, upper: 1.5),
      beta: makeTestTensor([f], seed: s + 2, lower: -0.3, upper: 0.3),
      stride: c.strides[i], padding: 1, epsilon: 1e-5,
      runningMean: evaluation ? makeTestTensor([f], seed: s + 3, lower: -0.2, upper: 0.2) : nil,
      runningVariance: evaluation ? makeTestTensor([f], seed: s + 4, lower: 0.5, upper: 2) : nil)
  }
}

/// The same network from `conv2d`, `batchNorm`, `relu` and `adaptiveAvgPool2d`.
private func composed(_ x: Tensor, _ stages: [ConvStackStage], pool: Int) -> (Tensor, [Tensor], [Tensor]) {
  var h = x
  var means: [Tensor] = []
  var variances: [Tensor] = []
  for stage in stages {
    let y = conv2d(h, weight: stage.weight, stride: stage.stride, padding: stage.padding)
    if let mean = stage.runningMean, let variance = stage.runningVariance {
      h = relu(
        batchNorm(y, mean: mean, variance: variance, gamma: stage.gamma, beta: stage.beta, epsilon: stage.epsilon))
    } else {
      let (normalized, mean, variance) = batchNorm(y, gamma: stage.gamma, beta: stage.beta, epsilon: stage.epsilon)
      means.append(mean)
      variances.append(variance)
      h = relu(normalized)
    }
  }
  let pooled = adaptiveAvgPool2d(h, outputSize: pool)
  return (pooled.reshaped(to: [x.shape[0], pooled.count / x.shape[0]]), means, variances)
}

/// Values and gradients (`[w, γ, β]` per stage) of `Σ output·upstream`.
private func differentiate(
  _ x: Tensor, _ stages: [ConvStackStage], pool: Int, upstream: Tensor, fused: Bool, directKernels: Bool = true
) -> (Tensor, [Tensor]) {
  let parameters = stages.flatMap { [$0.weight, $0.gamma, $0.beta] }
  var output = Tensor(0)
  let (_, gradients) = valueAndGradient(at: parameters) { p in
    var tracked = stages
    for i in tracked.indices {
      (tracked[i].weight, tracked[i].gamma, tracked[i].beta) = (p[3 * i], p[3 * i + 1], p[3 * i + 2])
    }
    let y =
      fused
      ? convBatchNormReLUStack(x, stages: tracked, pool: pool, directKernels: directKernels)!.output
      : composed(x, tracked, pool: pool).0
    output = y.detached()
    return (y * upstream).sum()
  }
  return (output, gradients)
}

@Suite struct ConvStackTests {
  /// With Siam's direct kernels for the blocked stages (where the CPU has them) and with
  /// oneDNN for every stage.
  @Test(arguments: stackCases.indices, [true, false])
  func forwardAndGradientsMatchTheSeparateOps(_ index: Int, directKernels: Bool) throws {
    let c = stackCases[index]
    let x = makeTestTensor([c.batch, c.channels, c.size, c.size], seed: UInt64(100 + index))
    let stages = makeStages(c, seed: UInt64(200 + 50 * index))
    let result = try #require(convBatchNormReLUStack(x, stages: stages, pool: c.pool, directKernels: directKernels))
    let (expected, means, variances) = composed(x, stages, pool: c.pool)
    expectClose(result.output, expected, absolute: 1e-4, relative: 1e-3, "output, case \(index)")
    for i in stages.indices {
      expectClose(result.batchMeans[i], means[i], absolute: 1e-5, relative: 1e-4, "mean \(i)")
      expectClose(result.batchVariances[i], variances[i], absolute: 1e-5, relative: 1e-4, "variance \(i)")
    }
    let upstream = makeTestTensor(expected.shape, seed: UInt64(300 + index))
    let (_, fused) = differentiate(
      x, stages, pool: c.pool, upstream: upstream, fused: true, directKernels: directKernels)
    let (_, reference) = differentiate(x, stages, pool: c.pool, upstream: upstream, fused: false)
    for (i, (a, b)) in zip(fused, reference).enumerated() {
      let scale = Double(b.scalars.map { abs($0) }.max() ?? 1)
      expectClose(a, b, absolute: 1e-4 * max(scale, 1), relative: 1e-3, "gradient \(i) (stage \(i / 3)), case \(index)")
    }
  }

  @Test func evaluationModeUsesTheRunningStatistics() throws {
    let c = stackCases[0]
    let x = makeTestTensor([c.batch, c.channels, c.size, c.size], seed: 7)
    let stages = makeStages(c, seed: 70, evaluation: true)
    let result = try #require(convBatchNormReLUStack(x, stages: stages, pool: c.pool))
    #expect(result.batchMeans.isEmpty && result.batchVariances.isEmpty)
    expectClose(result.output, composed(x, stages, pool: c.pool).0, absolute: 1e-4, relative: 1e-3)
    let upstream = makeTestTensor(result.output.shape, seed: 71)
    let (_, fused) = differentiate(x, stages, pool: c.pool, upstream: upstream, fused: true)
    let (_, reference) = differentiate(x, stages, pool: c.pool, upstream: upstream, fused: false)
    for (a, b) in zip(fused, reference) { expectClose(a, b, absolute: 1e-4, relative: 1e-3) }
  }

  @Test func gradientsMatchFiniteDifferences() {
    // Inputs chosen so that no pre-activation sits within the step of ReLU's kink (with
    // seed 11 one did, and the central difference straddled it: the separate ops showed
    // the same 1e-2 gap there).
    let x = makeTestTensor([3, 1, 5, 5], seed: 17)
    for pool in [1, 2] {
      GradientCheck.check(
        "convBatchNormReLUStack pool \(pool)",
        at: [
          makeTestTensor([8, 1, 3, 3], seed: 12), makeTestTensor([8], seed: 13, lower: 0.5, upper: 1.5),
          makeTestTensor([8], seed: 14, lower: 0.2, upper: 0.6),
        ],
        step: 1e-3, absolute: 3e-3, relative: 1e-2
      ) { v in
        convBatchNormReLUStack(
          x, stages: [ConvStackStage(weight: v[0], gamma: v[1], beta: v[2], stride: 1, padding: 1, epsilon: 1e-5)],
          pool: pool)!.output
      }
    }
  }

  /// Two stages, so that the second (blocked source) runs on the direct kernels where the
  /// CPU has them: every parameter against central differences.
  @Test func twoStageGradientsMatchFiniteDifferences() {
    let x = makeTestTensor([2, 1, 6, 6], seed: 31)
    GradientCheck.check(
      "convBatchNormReLUStack, two stages",
      at: [
        makeTestTensor([8, 1, 3, 3], seed: 32), makeTestTensor([8], seed: 33, lower: 0.5, upper: 1.5),
        makeTestTensor([8], seed: 34, lower: 0.2, upper: 0.6), makeTestTensor([16, 8, 3, 3], seed: 35),
        makeTestTensor([16], seed: 36, lower: 0.5, upper: 1.5), makeTestTensor([16], seed: 37, lower: 0.2, upper: 0.6),
      ],
      step: 1e-3, absolute: 3e-3, relative: 1e-2
    ) { v in
      convBatchNormReLUStack(
        x,
        stages: [
          ConvStackStage(weight: v[0], gamma: v[1], beta: v[2], stride: 1, padding: 1, epsilon: 1e-5),
          ConvStackStage(weight: v[3], gamma: v[4], beta: v[5], stride: 2, padding: 1, epsilon: 1e-5),
        ],
        pool: 2)!.output
    }
  }

  @Test func resultsAreBitIdenticalForAnyThreadCount() {
    let c = stackCases[4]
    let x = makeTestTensor([c.batch, c.channels, c.size, c.size], seed: 21)
    let stages = makeStages(c, seed: 22)
    let upstream = makeTestTensor([c.batch, c.widths.last! * c.pool * c.pool], seed: 23)
    let runs = [1, 2, 3].map { threads in
      Parallel.withThreadCount(threads) { differentiate(x, stages, pool: c.pool, upstream: upstream, fused: true) }
    }
    for run in runs.dropFirst() {
      #expect(run.0.isBitIdentical(to: runs[0].0), "output")
      for (a, b) in zip(run.1, runs[0].1) { #expect(a.isBitIdentical(to: b), "gradient") }
    }
  }

  @Test func unsupportedStacksAreLeftToTheSeparateOps() {
    let x = makeTestTensor([4, 1, 6, 6], seed: 31)
    var stage = ConvStackStage(
      weight: makeTestTensor([12, 1, 3, 3], seed: 32), gamma: Tensor(ones: [12]), beta: Tensor(zeros: [12]),
      stride: 1, padding: 1, epsilon: 1e-5)
    #expect(convBatchNormReLUStack(x, stages: [stage], pool: 1) == nil, "12 filters: not a multiple of 8")
    stage.weight = makeTestTensor([8, 1, 3, 3], seed: 33)
    stage.gamma = Tensor(ones: [8])
    stage.beta = Tensor(zeros: [8])
    #expect(convBatchNormReLUStack(x, stages: [stage], pool: 1) != nil)
    #expect(convBatchNormReLUStack(Tensor(zeros: [0, 1, 6, 6]), stages: [stage], pool: 1) == nil, "empty batch")
    _ = valueAndGradient(at: [x]) { v in
      #expect(convBatchNormReLUStack(v[0], stages: [stage], pool: 1) == nil, "a differentiated input")
      return v[0].sum()
    }
  }

  @Test func chunkStatisticsMergeToTheBatchMeanAndVariance() {
    // Values far from zero with a small spread (where a sum of squares about zero would
    // lose the variance) and a drift over the images (so the chunks' means differ and the
    // merge's between-chunk term matters), chunks of 16, 16 and 3 images, each summed about
    // its own pivot.
    let (batch, channels, height, width) = (35, 16, 3, 5)
    let layout = BlockedLayout(batch: batch, channels: channels, height: height, width: width)
    let noise = makeTestTensor([batch, channels, height, width], seed: 61).scalars
    let image = channels * height * width
    let plain = Tensor(
      shape: [batch, channels, height, width],
      scalars: noise.indices.map { 1000 + 0.01 * noise[$0] + 0.002 * Float($0 / image) })
    let blocked = Tensor(uninitializedShape: [layout.count])
    BlockedKernel.toBlocked(plain.storage.base, layout, into: blocked.storage.base)
    let chunks: [Range<Int>] = [0..<16, 16..<32, 32..<35]
    let sums = ChunkSums(chunks: chunks.count, channels: channels)
    for (chunk, images) in chunks.enumerated() {
      let pivot = layout.firstPixel(blocked.storage.base, image: images.lowerBound)
      sums.setPivot(pivot, chunk: chunk, elements: images.count * height * width)
      BlockedKernel.channelSums(
        layout, images: images, x: blocked.storage.base, gradient: nil, relu: nil, pivot: pivot,
        first: sums.first(chunk), second: sums.second(chunk))
    }
    let (mean, variance) = sums.meanAndVariance()
    let values = plain.scalars
    for c in 0..<channels {
      var channel: [Double] = []
      for n in 0..<batch {
        for t in 0..<(height * width) { channel.append(Double(values[(n * channels + c) * height * width + t])) }
      }
      let m = channel.reduce(0, +) / Double(channel.count)
      let v = channel.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(channel.count)
      #expect(abs(Double(mean[c]) - m) <= 1e-4, "mean \(c): \(mean[c]) against \(m)")
      #expect(abs(Double(variance[c]) - v) <= 1e-3 * v, "variance \(c): \(variance[c]) against \(v)")
    }
  }

  @Test func blockedLayoutRoundTripsAndPlacesEachElement() {
    let layout = BlockedLayout(batch: 3, channels: 16, height: 5, width: 4)
    let plain = makeTestTensor([3, 16, 5, 4], seed: 41)
    let blocked = Tensor(uninitializedShape: [layout.count])
    let back = Tensor(uninitializedShape: [3, 16, 5, 4])
    BlockedKernel.toBlocked(plain.storage.base, layout, into: blocked.storage.base)
    BlockedKernel.toPlain(blocked.storage.base, layout, into: back.storage.base)
    #expect(back.isBitIdentical(to: plain))
    let points: [[Int]] = [[0, 0, 0, 0], [1, 9, 3, 2], [2, 15, 4, 3], [2, 7, 0, 1]]
    for p in points {
      let offset: Int = layout.offset(p[0], p[1], p[2], p[3])
      #expect(blocked.scalars[offset] == plain[p[0], p[1], p[2], p[3]])
      // nChw8c: [N][C/8][H][W][8].
      let block: Int = p[0] * 2 + p[1] / 8
      let pixel: Int = (block * 5 + p[2]) * 4 + p[3]
      #expect(offset == pixel * 8 + p[1] % 8)
    }
  }

  @Test func weightReorderPermutesIntoTheBlockedLayout() throws {
    let shape = OneDNNConvShape(
      batch: 16, channels: 32, height: 14, width: 14, filters: 64, kernel: 3, stride: 2, padding: 1, plainSource: false)
    let convolution = try #require(OneDNN.convolution(shape))
    #expect(convolution.implementations.allSatisfy { !$0.hasPrefix("ref") }, "\(convolution.implementations)")
    let weights = makeTestTensor([64, 32, 3, 3], seed: 51)
    // Forward's layout holds each weight once (the gradients' way back to OIHW is checked
    // against the separate ops above).
    let blocked = Tensor(uninitializedShape: [convolution.forwardWeightsCount])
    convolution.reorderWeights(weights.storage.base, forward: blocked.storage.base)
    #expect(convolution.forwardWeightsCount == weights.count)
    #expect(blocked.scalars.sorted() == weights.scalars.sorted(), "a reorder permutes the elements")
    #expect(!blocked.isBitIdentical(to: weights.reshaped(to: [weights.count])), "blocked, not OIHW")
  }
}
