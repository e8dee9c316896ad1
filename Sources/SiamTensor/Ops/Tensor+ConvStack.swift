import Foundation

// A stack of (convolution without bias → batch norm → ReLU) stages followed by adaptive
// average pooling, as one differentiable primitive on direct convolutions: oneDNN's for
// the first stage (a plain `NCHW` source), Siam's own AVX2 kernels (`DirectConvolution`)
// for the others where the CPU has them, oneDNN's otherwise.
//
// Why one primitive: between its first convolution and the pooling the activations stay
// in the blocked layout `nChw8c` that both kernel sets read and write (see
// `BlockedKernels.swift`), batch norm and ReLU run fused on that layout, and nothing is
// converted back to `NCHW` until the pooled features. PyTorch reorders every
// convolution's input and output instead. The result equals
// `adaptiveAvgPool2d(relu(batchNorm(conv2d(...))))` stage after stage up to rounding (the
// tests compare both), with different summation orders.
//
// Work is cut into chunks of `imagesPerChunk` images (a constant): each kernel call runs
// one chunk on one thread, chunks are spread over the engine's threads, and weight
// gradients sum per fixed group of chunks, groups added in order; batch norm's sums are
// taken per chunk inside the convolution passes and added in chunk order. Outputs and
// gradients are therefore bit-identical for any thread count, as for `conv2d`.

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

/// `pool(relu(bn(conv(… relu(bn(conv(x))) …))))` on direct convolutions: shapes `[N, C, H, W] →
/// [N, F·p·p]` (`F` the last stage's filters, `p` = `pool`, flattened as
/// `AdaptiveAvgPool2d(p)` + `flatten`).
///
/// Returns nil when the stack cannot run here, and the caller then composes the separate
/// ops: `x` is tracked (the first stage computes no input gradient), a width is not a
/// multiple of 8, the batch is empty, or oneDNN has no fast kernel for a stage.
public func convBatchNormReLUStack(_ x: Tensor, stages: [ConvStackStage], pool: Int) -> ConvStackResult? {
  convBatchNormReLUStack(x, stages: stages, pool: pool, directKernels: DirectConvolution.isEnabled)
}

/// `convBatchNormReLUStack` with the choice of kernels for the stages after the first
/// (`DirectConvolution` or oneDNN), for tests that run both.
func convBatchNormReLUStack(_ x: Tensor, stages: [ConvStackStage], pool: Int, directKernels: Bool) -> ConvStackResult? {
  guard let plan = ConvStackPlan(input: x, stages: stages, pool: pool, directKernels: directKernels) else { return nil }
  return plan.run(x, stages)
}

/// The shapes and primitives of one stack call.
struct ConvStackPlan {
  static let imagesPerChunk = 16
  /// Most partial weight gradients kept per stage (as `conv2d`).
  static let weightGradientGroups = 16

  struct Stage {
    /// How a stage convolves: Siam's direct kernels (any chunk size), or oneDNN's
    /// primitives for full chunks and for the last, shorter chunk (if any).
    enum Kernel {
      case direct(DirectConvolution)
      case oneDNN(full: OneDNNConvolution, tail: OneDNNConvolution?)
    }

    /// The shape of a full chunk.
    let shape: OneDNNConvShape
    let kernel: Kernel
    let output: BlockedLayout

    /// Multiply-add FLOPs of one image's convolution (a cost hint for `Parallel.forEach`).
    var flopsPerImage: Int { 2 * shape.filters * shape.channels * shape.kernel * shape.kernel * output.plane }

    /// `destination = conv(source, weights)` for one chunk (`isFull`: a full chunk, not the tail).
    func forward(
      images: Int, isFull: Bool, source: UnsafePointer<Float>, weights: PreparedWeights,
      destination: UnsafeMutablePointer<Float>
    ) {
      switch kernel {
      case .direct(let direct):
        direct.forward(images: images, source: source, weights: weights.full.base, destination: destination)
      case .oneDNN(let full, let tail):
        (isFull ? full : tail!).forward(source: source, weights: weights.weights(isFull), destination: destination)
      }
    }

    /// `sourceGradient = convᵀ(destinationGradient)` for one chunk (`weights` prepared `forData`).
    func backwardData(
      images: Int, isFull: Bool, destinationGradient: UnsafePointer<Float>, weights: PreparedWeights,
      sourceGradient: UnsafeMutablePointer<Float>
    ) {
      switch kernel {
      case .direct(let direct):
        direct.backwardData(
          images: images, destinationGradient: destinationGradient, weights: weights.full.base,
          sourceGradient: sourceGradient)
      case .oneDNN(let full, let tail):
        (isFull ? full : tail!).backwardData(
          destinationGradient: destinationGradient, weights: weights.weights(isFull), sourceGradient: sourceGradient)
      }
    }
  }

  let batch: Int, pool: Int
  let stages: [Stage]

  /// `directKernels`: run the stages after the first on `DirectConvolution` where it
  /// applies (else every stage on oneDNN).
  init?(input x: Tensor, stages specs: [ConvStackStage], pool: Int, directKernels: Bool) {
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
      guard shape.outHeight > 0, shape.outWidth > 0 else { return nil }
      let kernel: Stage.Kernel
      if directKernels, let direct = DirectConvolution(shape) {
        kernel = .direct(direct)
      } else {
        guard let full = OneDNN.convolution(shape) else { return nil }
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
        kernel = .oneDNN(full: full, tail: tail)
      }
      let output = BlockedLayout(batch: n, channels: w[0], height: shape.outHeight, width: shape.outWidth)
      stages.append(Stage(shape: shape, kernel: kernel, output: output))
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
  //
  // One parallel pass over the chunks per stage: normalise + ReLU the previous stage's
  // chunk (its statistics are known by then) into the thread's scratch, convolve it, and
  // sum the new chunk's statistics, each chunk's data still in cache. A last pass
  // normalises the last stage and pools. Only the pre-activations are kept for the
  // backward passes, which recompute each chunk's activation from them: the ReLU outputs
  // never go to memory as whole-batch tensors.

  func run(_ x: Tensor, _ specs: [ConvStackStage]) -> ConvStackResult {
    var preActivations: [TensorStorage] = []
    var normalisations: [Normalisation] = []
    var means: [Tensor] = []
    var variances: [Tensor] = []
    for (index, stage) in stages.enumerated() {
      let spec = specs[index]
      let y = TensorStorage(uninitializedCount: stage.output.count)
      let isBatch = spec.runningMean == nil
      let sums = isBatch ? ChunkSums(chunks: chunkCount, channels: stage.output.channels) : nil
      // The previous stage's activation is written chunk by chunk just before it is read.
      let previous = index > 0 ? (stages[index - 1].output, preActivations[index - 1], normalisations[index - 1]) : nil
      let input = UncheckedSendable(x.storage.base)
      let yp = UncheckedSendable(y.base)
      let layout = stage.output
      let prepared = preparedWeights(index, weight: spec.weight, forData: false)
      forEachChunk(index, scratch: previous?.0.image ?? 0) { chunk, images, isFull, scratch in
        let source: UnsafePointer<Float>
        if let (previousLayout, previousY, normalisation) = previous {
          BlockedKernel.scaleShiftReLU(
            previousLayout, images: images, x: previousY.base, scale: normalisation.scale, shift: normalisation.shift,
            intoChunk: scratch!)
          source = UnsafePointer(scratch!)
        } else {
          source = UnsafePointer(input.value + images.lowerBound * self.inputImage(index))
        }
        stage.forward(
          images: images.count, isFull: isFull, source: source, weights: prepared,
          destination: yp.value + images.lowerBound * layout.image)
        if let sums {
          let pivot = layout.firstPixel(yp.value, image: images.lowerBound)
          sums.setPivot(pivot, chunk: chunk, elements: images.count * layout.plane)
          BlockedKernel.channelSums(
            layout, images: images, x: yp.value, gradient: nil, relu: nil, pivot: pivot,
            first: sums.first(chunk), second: sums.second(chunk))
        }
      }
      withExtendedLifetime((x, prepared, preActivations)) {}
      let normalisation: Normalisation
      if let runningMean = spec.runningMean, let runningVariance = spec.runningVariance {
        normalisation = Normalisation(
          layout, mean: runningMean.scalars,
          inverseStd: runningVariance.scalars.map { 1 / ($0 + spec.epsilon).squareRoot() }, gamma: spec.gamma.scalars,
          beta: spec.beta.scalars, isBatch: false)
      } else {
        let (mean, variance) = sums!.meanAndVariance()
        normalisation = Normalisation(
          layout, mean: mean, inverseStd: variance.map { 1 / ($0 + spec.epsilon).squareRoot() },
          gamma: spec.gamma.scalars, beta: spec.beta.scalars, isBatch: true)
        means.append(Tensor(mean))
        variances.append(Tensor(variance))
      }
      normalisations.append(normalisation)
      preActivations.append(y)
    }
    let last = stages[stages.count - 1].output
    let output = Tensor(uninitializedShape: [batch, last.channels * pool * pool])
    let (yp, op) = (UncheckedSendable(preActivations[stages.count - 1].base), UncheckedSendable(output.storage.base))
    let normalisation = normalisations[stages.count - 1]
    Parallel.forEachClaimed(chunkCount, costPerItem: 3 * last.image * Self.imagesPerChunk, minimumWork: 1 << 18) {
      chunks in
      let activation = ChunkScratch(images: Self.imagesPerChunk, image: last.image)
      for chunk in chunks {
        let images = self.images(inChunk: chunk)
        BlockedKernel.scaleShiftReLU(
          last, images: images, x: yp.value, scale: normalisation.scale, shift: normalisation.shift,
          intoChunk: activation.base!)
        BlockedKernel.adaptivePool(last, images: images, chunk: activation.base!, outputSize: self.pool, into: op.value)
      }
      withExtendedLifetime(activation) {}
    }

    let inputs = specs.flatMap { [$0.weight, $0.gamma, $0.beta] }
    let weights = specs.map { $0.weight.detached() }
    let source = x.detached()
    let recorded = output.recorded(inputs: inputs) { g in
      backward(
        g, source: source, weights: weights, preActivations: preActivations, normalisations: normalisations)
    }
    return ConvStackResult(output: recorded, batchMeans: means, batchVariances: variances)
  }

  /// Stage `index`'s weights reordered once per call into the layout its full and tail
  /// primitives read (forward's, or backward data's when `forData`).
  private func preparedWeights(_ index: Int, weight: Tensor, forData: Bool) -> PreparedWeights {
    let (full, tail): (OneDNNConvolution, OneDNNConvolution?)
    switch stages[index].kernel {
    case .direct(let direct):
      let blocked = TensorStorage(uninitializedCount: direct.weightCount)
      weight.withUnsafeBufferPointer { direct.reorderWeights($0.baseAddress!, into: blocked.base, forData: forData) }
      return PreparedWeights(full: blocked, tail: nil)
    case .oneDNN(let f, let t): (full, tail) = (f, t)
    }
    let prepared = [full, tail].map { convolution -> TensorStorage? in
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
    return PreparedWeights(full: prepared[0]!, tail: prepared[1])
  }

  /// Calls `body` for every chunk of images, chunks spread over the engine's threads, with
  /// the chunk's index, whether it is full (not the shorter tail), and the thread's
  /// scratch of a chunk's images of `scratch` elements each (nil when `scratch` is 0).
  private func forEachChunk(
    _ index: Int, scratch image: Int, _ body: (Int, Range<Int>, Bool, UnsafeMutablePointer<Float>?) -> Void
  ) {
    let stage = stages[index]
    Parallel.forEachClaimed(chunkCount, costPerItem: stage.flopsPerImage * Self.imagesPerChunk, minimumWork: 1 << 20) {
      chunks in
      let scratch = ChunkScratch(images: Self.imagesPerChunk, image: image)
      for chunk in chunks {
        let images = self.images(inChunk: chunk)
        body(chunk, images, images.count == stage.shape.batch, scratch.base)
      }
      withExtendedLifetime(scratch) {}
    }
  }

  // MARK: Backward
  //
  // The last stage's batch-norm sums are taken in the pooling gradient's pass; then one
  // pass per stage, over fixed groups of chunks: the batch-norm input gradient of the
  // chunk, its weight-gradient partial, its input gradient, and the previous stage's
  // batch-norm sums on that input gradient.

  private func backward(
    _ g: Tensor, source: Tensor, weights: [Tensor], preActivations: [TensorStorage], normalisations: [Normalisation]
  ) -> [Tensor?] {
    let last = stages[stages.count - 1].output
    var gradient = TensorStorage(uninitializedCount: last.count)
    var sums = ChunkSums(chunks: chunkCount, channels: last.channels)
    do {
      let (gp, op) = (UncheckedSendable(g.storage.base), UncheckedSendable(gradient.base))
      let yp = UncheckedSendable(preActivations[stages.count - 1].base)
      let (pivot, relu) = (normalisations[stages.count - 1].meanLanes, normalisations[stages.count - 1].reluMask)
      let lastSums = sums
      Parallel.forEachClaimed(chunkCount, costPerItem: 3 * last.image * Self.imagesPerChunk, minimumWork: 1 << 18) {
        chunks in
        for chunk in chunks {
          let images = self.images(inChunk: chunk)
          BlockedKernel.adaptivePoolGradient(
            last, images: images, gradient: gp.value, outputSize: self.pool, into: op.value)
          BlockedKernel.channelSums(
            last, images: images, x: yp.value, gradient: op.value, relu: relu, pivot: pivot,
            first: lastSums.first(chunk), second: lastSums.second(chunk))
        }
      }
      withExtendedLifetime(g) {}
    }
    var result = [Tensor?](repeating: nil, count: 3 * stages.count)
    for index in stages.indices.reversed() {
      let layout = stages[index].output
      let normalisation = normalisations[index]
      let (sumG, sumGD) = sums.totals()
      let count = Double(layout.batch * layout.plane)
      var ka = [Float]()
      var kb = [Float]()
      var kk = [Float]()
      var dGamma = [Float]()
      var dBeta = [Float]()
      for c in 0..<layout.channels {
        let s = Double(normalisation.inverseStd[c])
        let gain = Double(normalisation.gamma[c]) * s
        dGamma.append(Float(sumGD[c] * s))
        dBeta.append(Float(sumG[c]))
        if normalisation.isBatch {
          // dy = γ·s·(g − Σg/M − (y − μ)·s²·Σg(y − μ)/M)
          let b = -gain * s * s * sumGD[c] / count
          ka.append(Float(gain))
          kb.append(Float(b))
          kk.append(Float(-gain * sumG[c] / count - b * Double(normalisation.mean[c])))
        } else {
          ka.append(Float(gain))
          kb.append(0)
          kk.append(0)
        }
      }
      let affine = AffineGradient(
        a: layout.laneVectors(ka), b: layout.laneVectors(kb), k: layout.laneVectors(kk))
      let previous = index > 0 ? PreviousStage(self, index - 1, preActivations, normalisations) : nil
      result[3 * index] = backwardPass(
        index, gradient: gradient, preActivation: preActivations[index], relu: normalisation.reluMask,
        affine: affine, source: source.storage, weight: weights[index], previous: previous)
      result[3 * index + 1] = Tensor(dGamma)
      result[3 * index + 2] = Tensor(dBeta)
      if let previous {
        gradient = previous.inputGradient
        sums = previous.sums
      }
    }
    withExtendedLifetime((source, preActivations)) {}
    return result
  }

  /// What stage `index`'s backward pass writes for the stage before it: the gradient of
  /// its activation (`nChw8c`) and the per-chunk batch-norm sums on that gradient, with
  /// what those sums read (the ReLU mask recomputed from the pre-activation).
  private struct PreviousStage {
    let layout: BlockedLayout
    let inputGradient: TensorStorage, sums: ChunkSums
    let preActivation: TensorStorage, relu: ReLUMask, pivot: [SIMD8<Float>]

    init(_ plan: ConvStackPlan, _ index: Int, _ preActivations: [TensorStorage], _ normalisations: [Normalisation]) {
      layout = plan.stages[index].output
      inputGradient = TensorStorage(uninitializedCount: layout.count)
      sums = ChunkSums(chunks: plan.chunkCount, channels: layout.channels)
      preActivation = preActivations[index]
      (relu, pivot) = (normalisations[index].reluMask, normalisations[index].meanLanes)
    }
  }

  /// Stage `index`'s backward pass over fixed groups of chunks; returns `dW`. Per chunk:
  /// the batch-norm input gradient (in place over `gradient`), the chunk's weight
  /// gradient added to its group's partial (the kernels' layout, or plain for a plain-source
  /// first stage), and with a `previous` stage the chunk's input gradient and that
  /// stage's sums on it. Partials are added in group order, then reordered to `OIHW`.
  /// The weight gradient's source is the stack's input for the first stage, and otherwise
  /// the previous stage's activation, recomputed for the chunk from its pre-activation
  /// (the forward pass's bits: the same kernel on the same values).
  private func backwardPass(
    _ index: Int, gradient: TensorStorage, preActivation: TensorStorage, relu: ReLUMask,
    affine: AffineGradient, source: TensorStorage, weight: Tensor, previous: PreviousStage?
  ) -> Tensor {
    let stage = stages[index]
    let layout = stage.output
    // Where the weight gradient comes from: the direct kernels (accumulating into the
    // group's partial), oneDNN's full and tail primitives, or `plainSourceWeightGradient`.
    var direct: DirectConvolution?
    var oneDNN: (full: OneDNNConvolution, tail: OneDNNConvolution?)?
    switch stage.kernel {
    case .direct(let d): direct = d
    case .oneDNN(let full, let tail):
      if full.hasBackwardWeights && (tail?.hasBackwardWeights ?? true) { oneDNN = (full, tail) }
    }
    // Full and tail chunks may choose different gradient layouts: keep the tail's own.
    let layoutCount = direct?.weightCount ?? oneDNN?.full.diffWeightsCount ?? weight.count
    let groups = min(chunkCount, Self.weightGradientGroups)
    let partials = TensorStorage(uninitializedCount: groups * layoutCount)
    let tailChunk = oneDNN?.tail == nil ? -1 : chunkCount - 1
    let tailPartial = oneDNN?.tail.map { TensorStorage(uninitializedCount: $0.diffWeightsCount) }
    let dataWeights = previous == nil ? nil : preparedWeights(index, weight: weight, forData: true)
    let pp = UncheckedSendable(partials.base)
    let tp = UncheckedSendable(tailPartial?.base)
    let gp = UncheckedSendable(gradient.base)
    let sp = UncheckedSendable(source.base)
    let yp = UncheckedSendable(preActivation.base)
    let previousPointers = previous.map {
      (
        layout: $0.layout, input: UncheckedSendable($0.inputGradient.base), y: UncheckedSendable($0.preActivation.base),
        relu: $0.relu, pivot: $0.pivot, sums: $0.sums
      )
    }
    let inputImage = inputImage(index)
    let outputImage = layout.image
    Parallel.forEachClaimed(groups, costPerItem: 2 * stage.flopsPerImage * batch / groups, minimumWork: 1 << 20) {
      claimed in
      let scratch = oneDNN == nil ? nil : TensorStorage(uninitializedCount: layoutCount)
      let activation = ChunkScratch(images: Self.imagesPerChunk, image: previous == nil ? 0 : inputImage)
      for group in claimed {
        let partial = pp.value + group * layoutCount
        partial.update(repeating: 0, count: layoutCount)
        for chunk in Parallel.range(part: group, of: groups, count: self.chunkCount) {
          let images = self.images(inChunk: chunk)
          let isFull = images.count == stage.shape.batch
          BlockedKernel.maskedAffineGradient(
            layout, images: images, gradient: gp.value, relu: relu, x: yp.value, a: affine.a, b: affine.b,
            k: affine.k, into: gp.value)
          let chunkSource: UnsafePointer<Float>
          if let p = previousPointers, let recomputed = activation.base {
            BlockedKernel.scaleShiftReLU(
              p.layout, images: images, x: p.y.value, scale: p.relu.scale, shift: p.relu.shift, intoChunk: recomputed)
            chunkSource = UnsafePointer(recomputed)
          } else {
            chunkSource = UnsafePointer(sp.value + images.lowerBound * inputImage)
          }
          let chunkGradient = gp.value + images.lowerBound * outputImage
          if let direct {
            direct.accumulateWeightGradient(
              images: images.count, source: chunkSource, destinationGradient: chunkGradient, into: partial)
          } else if let oneDNN {
            if chunk == tailChunk, let tail = oneDNN.tail, let tailPartial = tp.value {
              tail.backwardWeights(
                source: chunkSource, destinationGradient: chunkGradient, weightsGradient: tailPartial)
            } else {
              oneDNN.full.backwardWeights(
                source: chunkSource, destinationGradient: chunkGradient, weightsGradient: scratch!.base)
              addVector(scratch!.base, into: partial, count: layoutCount)
            }
          } else {
            BlockedKernel.plainSourceWeightGradient(
              stage.shape, images: images.count, source: chunkSource, outputGradient: chunkGradient, into: partial)
          }
          if let dataWeights, let p = previousPointers {
            stage.backwardData(
              images: images.count, isFull: isFull, destinationGradient: chunkGradient, weights: dataWeights,
              sourceGradient: p.input.value + images.lowerBound * inputImage)
            BlockedKernel.channelSums(
              p.layout, images: images, x: p.y.value, gradient: p.input.value, relu: p.relu, pivot: p.pivot,
              first: p.sums.first(chunk), second: p.sums.second(chunk))
          }
        }
      }
      withExtendedLifetime((scratch, activation)) {}
    }
    addPartials(partials.base, groups: groups, count: layoutCount)
    let result = Tensor(uninitializedShape: weight.shape)
    if let direct {
      direct.reorderWeightGradient(partials.base, to: result.storage.base)
    } else if let oneDNN {
      oneDNN.full.reorderDiffWeights(partials.base, to: result.storage.base)
      if let tail = oneDNN.tail, let tailPartial {
        let plainTail = TensorStorage(uninitializedCount: weight.count)
        tail.reorderDiffWeights(tailPartial.base, to: plainTail.base)
        addVector(plainTail.base, into: result.storage.base, count: weight.count)
      }
    } else {
      result.storage.base.update(from: partials.base, count: weight.count)
    }
    withExtendedLifetime((partials, tailPartial, dataWeights, gradient, source, preActivation, previous)) {}
    return result
  }
}

/// One thread's scratch for a chunk's activation: `images` images of `image` elements
/// (none when `image` is 0), from the buffer pool, so a region's threads reuse the same
/// few cache-warm buffers step after step.
private struct ChunkScratch {
  let storage: TensorStorage?
  var base: UnsafeMutablePointer<Float>? { storage?.base }

  init(images: Int, image: Int) {
    storage = image > 0 ? TensorStorage(uninitializedCount: images * image) : nil
  }
}

/// A stage's weights in the layouts of its full and tail primitives (the direct kernels:
/// `full` only, for every chunk).
struct PreparedWeights {
  let full: TensorStorage, tail: TensorStorage?

  func weights(_ isFull: Bool) -> UnsafePointer<Float> { UnsafePointer((isFull ? full : tail ?? full).base) }
}
