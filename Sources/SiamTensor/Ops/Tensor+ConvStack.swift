import Foundation

// A stack of (convolution without bias → batch norm → ReLU) stages followed by adaptive
// average pooling, as one differentiable primitive on oneDNN's convolutions.
//
// Why one primitive: between its first convolution and the pooling the activations stay
// in the blocked layout `nChw8c` that oneDNN's AVX2 convolutions read and write (see
// `BlockedKernels.swift`), batch norm and ReLU run fused on that layout, and nothing is
// converted back to `NCHW` until the pooled features. PyTorch reorders every
// convolution's input and output instead. The result equals
// `adaptiveAvgPool2d(relu(batchNorm(conv2d(...))))` stage after stage up to rounding (the
// tests compare both), with different summation orders.
//
// Work is cut into chunks of `imagesPerChunk` images (a constant): each oneDNN call runs
// one chunk on one thread, chunks are spread over the engine's threads, and weight
// gradients sum per fixed group of chunks, groups added in order. Outputs and gradients
// are therefore bit-identical for any thread count, as for `conv2d`.

/// One stage of `convBatchNormReLUStack`: `relu(batchNorm(conv2d(x, weight)))`.
public struct ConvStackStage {
  /// `[F, C, K, K]`, no bias.
  public var weight: Tensor
  /// γ and β `[F]`.
  public var gamma: Tensor
  public var beta: Tensor
  public var stride: Int
  public var padding: Int
  public var epsilon: Float
  /// Evaluation mode: normalise with these `[F]` instead of the batch statistics.
  public var runningMean: Tensor?
  public var runningVariance: Tensor?

  public init(
    weight: Tensor, gamma: Tensor, beta: Tensor, stride: Int, padding: Int, epsilon: Float,
    runningMean: Tensor? = nil, runningVariance: Tensor? = nil
  ) {
    self.weight = weight
    self.gamma = gamma
    self.beta = beta
    self.stride = stride
    self.padding = padding
    self.epsilon = epsilon
    self.runningMean = runningMean
    self.runningVariance = runningVariance
  }
}

/// The output of `convBatchNormReLUStack`, with each training-mode stage's batch mean and
/// biased variance `[F]` (untracked; for running statistics).
public struct ConvStackResult {
  public var output: Tensor
  public var batchMeans: [Tensor]
  public var batchVariances: [Tensor]
}

/// `pool(relu(bn(conv(… relu(bn(conv(x))) …))))` on oneDNN: shapes `[N, C, H, W] →
/// [N, F·p·p]` (`F` the last stage's filters, `p` = `pool`, flattened as
/// `AdaptiveAvgPool2d(p)` + `flatten`).
///
/// Returns nil when the stack cannot run here, and the caller then composes the separate
/// ops: `x` is tracked (the first stage computes no input gradient), a width is not a
/// multiple of 8, the batch is empty, or oneDNN has no fast kernel for a stage.
public func convBatchNormReLUStack(_ x: Tensor, stages: [ConvStackStage], pool: Int) -> ConvStackResult? {
  guard let plan = ConvStackPlan(input: x, stages: stages, pool: pool) else { return nil }
  return plan.run(x, stages)
}

/// The shapes and primitives of one stack call.
struct ConvStackPlan {
  static let imagesPerChunk = 16
  /// Most partial weight gradients kept per stage (as `conv2d`).
  static let weightGradientGroups = 16

  struct Stage {
    /// The shape of a full chunk.
    let shape: OneDNNConvShape
    /// The primitives for full chunks and for the last, shorter chunk (if any).
    let full: OneDNNConvolution, tail: OneDNNConvolution?
    let output: BlockedLayout

    /// Multiply-add FLOPs of one image's convolution (a cost hint for `Parallel.forEach`).
    var flopsPerImage: Int { 2 * shape.filters * shape.channels * shape.kernel * shape.kernel * output.plane }
  }

  let batch: Int, pool: Int
  let stages: [Stage]

  init?(input x: Tensor, stages specs: [ConvStackStage], pool: Int) {
    guard OneDNN.isAvailable, x.rank == 4, x.shape[0] > 0, !x.isTracked, !specs.isEmpty, pool >= 1 else { return nil }
    let (n, chunk) = (x.shape[0], Self.imagesPerChunk)
    var (channels, height, width) = (x.shape[1], x.shape[2], x.shape[3])
    var stages: [Stage] = []
    for (index, spec) in specs.enumerated() {
      let w = spec.weight.shape
      guard w.count == 4, w[1] == channels, w[2] == w[3], w[0] % 8 == 0, spec.gamma.shape == [w[0]],
        spec.beta.shape == [w[0]], (spec.runningMean == nil) == (spec.runningVariance == nil)
      else { return nil }
      let first = index == 0
      guard first || channels % 8 == 0 else { return nil }
      let shape = OneDNNConvShape(
        batch: min(n, chunk), channels: channels, height: height, width: width, filters: w[0], kernel: w[2],
        stride: spec.stride, padding: spec.padding, plainSource: first)
      guard shape.outHeight > 0, shape.outWidth > 0, let full = OneDNN.convolution(shape) else { return nil }
      var tail: OneDNNConvolution?
      if n > chunk, n % chunk != 0 {
        var tailShape = shape
        tailShape.batch = n % chunk
        guard let made = OneDNN.convolution(tailShape) else { return nil }
        tail = made
      }
      // Backward data of every stage but the first; backward weights from oneDNN or,
      // for a plain first-layer source, from `plainSourceWeightGradient`.
      for convolution in [full, tail].compactMap({ $0 }) {
        guard first || (convolution.hasBackwardData && convolution.hasBackwardWeights) else { return nil }
      }
      let output = BlockedLayout(batch: n, channels: w[0], height: shape.outHeight, width: shape.outWidth)
      stages.append(Stage(shape: shape, full: full, tail: tail, output: output))
      (channels, height, width) = (w[0], shape.outHeight, shape.outWidth)
    }
    self.batch = n
    self.pool = pool
    self.stages = stages
  }

  var chunkCount: Int { (batch + Self.imagesPerChunk - 1) / Self.imagesPerChunk }

  func images(inChunk chunk: Int) -> Range<Int> {
    (chunk * Self.imagesPerChunk)..<min(batch, (chunk + 1) * Self.imagesPerChunk)
  }

  /// Elements of one image of stage `index`'s input.
  func inputImage(_ index: Int) -> Int {
    let s = stages[index].shape
    return s.channels * s.height * s.width
  }

  // MARK: Forward

  func run(_ x: Tensor, _ specs: [ConvStackStage]) -> ConvStackResult {
    var activations: [TensorStorage] = []
    var preActivations: [TensorStorage] = []
    var normalisations: [(mean: [Float], inverseStd: [Float], isBatch: Bool)] = []
    var means: [Tensor] = []
    var variances: [Tensor] = []
    var input = x.storage
    for (index, stage) in stages.enumerated() {
      let spec = specs[index]
      let y = TensorStorage(uninitializedCount: stage.output.count)
      convolveForward(index, weight: spec.weight, input: input.base, output: y.base)
      withExtendedLifetime(input) {}
      let layout = stage.output
      let gamma = spec.gamma.scalars
      let beta = spec.beta.scalars
      var mean: [Float]
      var inverseStd: [Float]
      if let runningMean = spec.runningMean, let runningVariance = spec.runningVariance {
        mean = runningMean.scalars
        inverseStd = runningVariance.scalars.map { 1 / ($0 + spec.epsilon).squareRoot() }
      } else {
        let pivot = (0..<layout.channels).map { y.base[layout.offset(0, $0, 0, 0)] }
        let (sums, squares) = BlockedKernel.channelSums(layout, x: y.base, gradient: nil, mask: nil, pivot: pivot)
        let count = Double(layout.batch * layout.plane)
        mean = []
        inverseStd = []
        var variance: [Float] = []
        for c in 0..<layout.channels {
          let offset = sums[c] / count
          mean.append(Float(Double(pivot[c]) + offset))
          variance.append(Float(max(0, squares[c] / count - offset * offset)))
          inverseStd.append(1 / (variance[c] + spec.epsilon).squareRoot())
        }
        means.append(Tensor(mean))
        variances.append(Tensor(variance))
      }
      let scale = (0..<layout.channels).map { gamma[$0] * inverseStd[$0] }
      let shift = (0..<layout.channels).map { beta[$0] - mean[$0] * scale[$0] }
      let a = TensorStorage(uninitializedCount: layout.count)
      BlockedKernel.scaleShiftReLU(layout, x: y.base, scale: scale, shift: shift, relu: true, into: a.base)
      normalisations.append((mean, inverseStd, spec.runningMean == nil))
      preActivations.append(y)
      activations.append(a)
      input = a
    }
    let last = stages[stages.count - 1].output
    let output = Tensor(uninitializedShape: [batch, last.channels * pool * pool])
    BlockedKernel.adaptivePool(
      last, x: activations[activations.count - 1].base, outputSize: pool, into: output.storage.base)

    let inputs = specs.flatMap { [$0.weight, $0.gamma, $0.beta] }
    let weights = specs.map { $0.weight.detached() }
    let gammas = specs.map { $0.gamma.scalars }
    let source = x.detached()
    let recorded = output.recorded(inputs: inputs) { g in
      backward(
        g, source: source, weights: weights, gammas: gammas, preActivations: preActivations,
        activations: activations, normalisations: normalisations)
    }
    return ConvStackResult(output: recorded, batchMeans: means, batchVariances: variances)
  }

  /// Stage `index`'s convolution over every chunk (oneDNN, one thread per chunk).
  private func convolveForward(
    _ index: Int, weight: Tensor, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    let ip = UncheckedSendable(input)
    let op = UncheckedSendable(output)
    forEachChunk(index, weight: weight, forData: false) { convolution, weights, images, inputImage, outputImage in
      convolution.forward(
        source: ip.value + images.lowerBound * inputImage, weights: weights,
        destination: op.value + images.lowerBound * outputImage)
    }
  }

  /// Calls `body` for every chunk of images, spread over the engine's threads, with the
  /// chunk's primitives and `weight` reordered once per call into the layout they read
  /// (forward's, or backward data's when `forData`).
  private func forEachChunk(
    _ index: Int, weight: Tensor, forData: Bool,
    _ body: (OneDNNConvolution, UnsafePointer<Float>, Range<Int>, Int, Int) -> Void
  ) {
    let stage = stages[index]
    let prepared = [stage.full, stage.tail].map { convolution -> TensorStorage? in
      guard let convolution else { return nil }
      let blocked = TensorStorage(
        uninitializedCount: forData ? convolution.dataWeightsCount : convolution.forwardWeightsCount)
      weight.withUnsafeBufferPointer { w in
        if forData && convolution.dataWeightsDiffer {
          convolution.reorderWeights(w.baseAddress!, data: blocked.base)
        } else {
          convolution.reorderWeights(w.baseAddress!, forward: blocked.base)
        }
      }
      return blocked
    }
    let inputImage = inputImage(index)
    let outputImage = stage.output.image
    Parallel.forEach(chunkCount, costPerItem: stage.flopsPerImage * Self.imagesPerChunk, minimumWork: 1 << 20) {
      chunks in
      for chunk in chunks {
        let images = self.images(inChunk: chunk)
        let isFull = images.count == Self.imagesPerChunk || stage.tail == nil
        body(
          isFull ? stage.full : stage.tail!, (isFull ? prepared[0] : prepared[1])!.base, images, inputImage, outputImage
        )
      }
    }
    withExtendedLifetime(prepared) {}
  }

  // MARK: Backward

  private func backward(
    _ g: Tensor, source: Tensor, weights: [Tensor], gammas: [[Float]], preActivations: [TensorStorage],
    activations: [TensorStorage], normalisations: [(mean: [Float], inverseStd: [Float], isBatch: Bool)]
  ) -> [Tensor?] {
    let last = stages[stages.count - 1].output
    var gradient = TensorStorage(uninitializedCount: last.count)
    BlockedKernel.adaptivePoolGradient(last, gradient: g.storage.base, outputSize: pool, into: gradient.base)
    withExtendedLifetime(g) {}
    var result = [Tensor?](repeating: nil, count: 3 * stages.count)
    for index in stages.indices.reversed() {
      let layout = stages[index].output
      let y = preActivations[index].base
      let a = activations[index].base
      let (mean, inverseStd, isBatch) = normalisations[index]
      let gamma = gammas[index]
      // dβ = Σ g·1[a > 0], Σ g·1[a > 0]·(y − μ); then the batch-norm input gradient, in place.
      let (sumG, sumGD) = BlockedKernel.channelSums(layout, x: y, gradient: gradient.base, mask: a, pivot: mean)
      let count = Double(layout.batch * layout.plane)
      var ka = [Float]()
      var kb = [Float]()
      var kk = [Float]()
      var dGamma = [Float]()
      var dBeta = [Float]()
      for c in 0..<layout.channels {
        let s = Double(inverseStd[c])
        let gain = Double(gamma[c]) * s
        dGamma.append(Float(sumGD[c] * s))
        dBeta.append(Float(sumG[c]))
        if isBatch {
          // dy = γ·s·(g − Σg/M − (y − μ)·s²·Σg(y − μ)/M)
          let b = -gain * s * s * sumGD[c] / count
          ka.append(Float(gain))
          kb.append(Float(b))
          kk.append(Float(-gain * sumG[c] / count - b * Double(mean[c])))
        } else {
          ka.append(Float(gain))
          kb.append(0)
          kk.append(0)
        }
      }
      BlockedKernel.maskedAffineGradient(
        layout, gradient: gradient.base, mask: a, x: y, a: ka, b: kb, k: kk, into: gradient.base)
      result[3 * index] = weightGradient(
        index, outputGradient: gradient.base, source: index == 0 ? source.storage.base : activations[index - 1].base,
        weight: weights[index])
      result[3 * index + 1] = Tensor(dGamma)
      result[3 * index + 2] = Tensor(dBeta)
      if index > 0 {
        let inputGradient = TensorStorage(uninitializedCount: stages[index - 1].output.count)
        dataGradient(index, outputGradient: gradient.base, weight: weights[index], into: inputGradient.base)
        gradient = inputGradient
      }
    }
    withExtendedLifetime((source, preActivations, activations)) {}
    return result
  }

  /// `dW` of stage `index`: per fixed group of chunks a partial (oneDNN's layout, or plain
  /// for a plain-source first stage), partials added in group order, then `OIHW`.
  private func weightGradient(
    _ index: Int, outputGradient: UnsafePointer<Float>, source: UnsafePointer<Float>, weight: Tensor
  ) -> Tensor {
    let stage = stages[index]
    let usesOneDNN = stage.full.hasBackwardWeights && (stage.tail?.hasBackwardWeights ?? true)
    // Full and tail chunks may choose different gradient layouts: keep the tail's own.
    let layoutCount = usesOneDNN ? stage.full.diffWeightsCount : weight.count
    let groups = min(chunkCount, Self.weightGradientGroups)
    let partials = TensorStorage(uninitializedCount: groups * layoutCount)
    let tailChunk = stage.tail == nil ? -1 : chunkCount - 1
    let tailPartial =
      usesOneDNN && stage.tail != nil ? TensorStorage(uninitializedCount: stage.tail!.diffWeightsCount) : nil
    let pp = UncheckedSendable(partials.base)
    let tp = UncheckedSendable(tailPartial?.base)
    let gp = UncheckedSendable(outputGradient)
    let sp = UncheckedSendable(source)
    let inputImage = inputImage(index)
    let outputImage = stage.output.image
    Parallel.forEach(groups, costPerItem: stage.flopsPerImage * batch / groups, minimumWork: 1 << 20) { groupRange in
      let scratch = usesOneDNN ? TensorStorage(uninitializedCount: layoutCount) : nil
      for group in groupRange {
        let partial = pp.value + group * layoutCount
        partial.update(repeating: 0, count: layoutCount)
        for chunk in Parallel.range(part: group, of: groups, count: chunkCount) {
          let images = self.images(inChunk: chunk)
          let chunkSource = sp.value + images.lowerBound * inputImage
          let chunkGradient = gp.value + images.lowerBound * outputImage
          if !usesOneDNN {
            BlockedKernel.plainSourceWeightGradient(
              stage.shape, images: images.count, source: chunkSource, outputGradient: chunkGradient, into: partial)
          } else if chunk == tailChunk, let tail = stage.tail, let tailPartial = tp.value {
            tail.backwardWeights(source: chunkSource, destinationGradient: chunkGradient, weightsGradient: tailPartial)
          } else {
            stage.full.backwardWeights(
              source: chunkSource, destinationGradient: chunkGradient, weightsGradient: scratch!.base)
            addVector(scratch!.base, into: partial, count: layoutCount)
          }
        }
      }
      withExtendedLifetime(scratch) {}
    }
    for group in 1..<max(groups, 1) {
      addVector(partials.base + group * layoutCount, into: partials.base, count: layoutCount)
    }
    let result = Tensor(uninitializedShape: weight.shape)
    if usesOneDNN {
      stage.full.reorderDiffWeights(partials.base, to: result.storage.base)
      if let tail = stage.tail, let tailPartial {
        let plainTail = TensorStorage(uninitializedCount: weight.count)
        tail.reorderDiffWeights(tailPartial.base, to: plainTail.base)
        addVector(plainTail.base, into: result.storage.base, count: weight.count)
      }
    } else {
      result.storage.base.update(from: partials.base, count: weight.count)
    }
    withExtendedLifetime((partials, tailPartial)) {}
    return result
  }

  /// The gradient of stage `index`'s input (`nChw8c`), chunk by chunk.
  private func dataGradient(
    _ index: Int, outputGradient: UnsafePointer<Float>, weight: Tensor, into output: UnsafeMutablePointer<Float>
  ) {
    let gp = UncheckedSendable(outputGradient)
    let op = UncheckedSendable(output)
    forEachChunk(index, weight: weight, forData: true) { convolution, weights, images, inputImage, outputImage in
      convolution.backwardData(
        destinationGradient: gp.value + images.lowerBound * outputImage, weights: weights,
        sourceGradient: op.value + images.lowerBound * inputImage)
    }
  }
}
