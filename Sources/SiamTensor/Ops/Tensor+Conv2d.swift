// 2-D convolution as im2col + sgemm over fixed chunks of images.
//
// Parallelism and determinism: the batch is cut into chunks whose size depends only on the
// shapes (`ConvGeometry.imagesPerChunk`). Chunks are spread over the engine's threads with
// `Parallel.forEach`, each thread running single-threaded sgemm on its own chunks (one
// L2-sized panel per call, no synchronisation between BLAS calls). Every chunk's
// arithmetic is the same whichever thread runs it, so outputs and input gradients are
// bit-identical for any `Parallel.threadCount`. The weight gradient sums over images: it is
// accumulated per fixed *reduction group* of consecutive chunks (at most
// `weightGradientGroups`, again a function of the shapes only), and the group partials are
// summed in group order.

/// 2-D convolution (cross-correlation, PyTorch's `F.conv2d`, groups = 1).
///
/// Shapes: `x` `[N, C, H, W]`, `weight` `[F, C, KH, KW]`, `bias` `[F]`,
/// result `[N, F, OH, OW]` with `OH = (H + 2·padding − KH) / stride + 1`.
/// - Complexity: `2·N·F·OH·OW·C·KH·KW` floating-point operations forward, twice that
///   backward (input and weight gradients).
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
  let geometry = ConvGeometry(input: x.shape, weight: weight.shape, stride: stride, padding: padding)
  if let bias {
    precondition(bias.shape == [geometry.filters], "conv2d: bias \(bias.shape) does not match weight \(weight.shape)")
  }
  let input = x.detached()
  let filters = weight.detached()
  let y = Conv2dKernel.forward(geometry, input: input, weight: filters, bias: bias?.detached())
  let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
  return y.recorded(inputs: inputs) { g in
    let (gx, gw) = Conv2dKernel.backward(
      geometry, outputGradient: g, input: input, weight: filters,
      needsInput: x.isTrackedInput, needsWeight: weight.isTrackedInput)
    guard let bias else { return [gx, gw] }
    return [gx, gw, bias.isTrackedInput ? Conv2dKernel.biasGradient(geometry, outputGradient: g) : nil]
  }
}

/// The chunked im2col + sgemm kernels behind `conv2d` (untracked).
enum Conv2dKernel {
  /// Most partial weight gradients kept in the backward pass (more groups allow more
  /// threads; each costs one `F·C·KH·KW` buffer and one pass of the final sum).
  static let weightGradientGroups = 16

  /// `y = conv(x, weight) + bias` (on the direct kernels where they apply and `directKernels`).
  static func forward(
    _ g: ConvGeometry, input x: Tensor, weight w: Tensor, bias: Tensor?,
    directKernels: Bool = DirectConvolution.isEnabled
  ) -> Tensor {
    if directKernels, let direct = direct(g) { return directForward(g, direct, input: x, weight: w, bias: bias) }
    let y = Tensor(uninitializedShape: g.outputShape)
    let xp = UncheckedSendable(x.storage.base)
    let wp = UncheckedSendable(w.storage.base)
    let yp = UncheckedSendable(y.storage.base)
    let bp = UncheckedSendable(bias?.storage.base)
    let chunkFlops = 2 * g.filters * g.patchSize * g.outputPlane * g.imagesPerChunk
    BLAS.withSingleThread {
      Parallel.forEachClaimed(g.chunkCount, costPerItem: chunkFlops, minimumWork: 1 << 20) { chunks in
        let panelColumns = g.imagesPerChunk * g.outputPlane
        let columns = TensorStorage(uninitializedCount: g.patchSize * panelColumns)
        let product = TensorStorage(uninitializedCount: g.filters * panelColumns)
        for chunk in chunks {
          let images = g.images(inChunk: chunk)
          let n = images.count * g.outputPlane
          im2col(g, input: xp.value + images.lowerBound * g.inputImage, images: images.count, columns: columns.base)
          // One image: its [F, OH·OW] product is already the output's layout.
          let single = images.count == 1 ? yp.value + images.lowerBound * g.outputImage : nil
          BLAS.sgemm(
            transposeA: false, transposeB: false, m: g.filters, n: n, k: g.patchSize,
            a: wp.value, b: columns.base, c: single ?? product.base)
          if let single {
            if let bias = bp.value { addBias(bias, to: single, filters: g.filters, plane: g.outputPlane) }
          } else {
            scatter(g, product: product.base, images: images, bias: bp.value, output: yp.value)
          }
        }
        withExtendedLifetime((columns, product)) {}
      }
    }
    withExtendedLifetime((x, w, bias)) {}
    return y
  }

  /// `y[b, f, :] = product[f, b·OH·OW ..< (b+1)·OH·OW] + bias[f]` for the chunk's images.
  private static func scatter(
    _ g: ConvGeometry, product: UnsafePointer<Float>, images: Range<Int>,
    bias: UnsafeMutablePointer<Float>?, output: UnsafeMutablePointer<Float>
  ) {
    let plane = g.outputPlane
    let leading = images.count * plane
    for (b, image) in images.enumerated() {
      for f in 0..<g.filters {
        let source = product + (f &* leading &+ b &* plane)
        let destination = output + (image &* g.outputImage &+ f &* plane)
        if let bias {
          let shift = bias[f]
          for t in 0..<plane { destination[t] = source[t] + shift }
        } else {
          destination.update(from: source, count: plane)
        }
      }
    }
  }

  /// `y[f, :] += bias[f]` for one image.
  private static func addBias(
    _ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>, filters: Int, plane: Int
  ) {
    for f in 0..<filters {
      let row = output + f &* plane
      let shift = bias[f]
      for t in 0..<plane { row[t] += shift }
    }
  }

  /// `dY` of the chunk's images gathered as the `[F, B·OH·OW]` matrix the sgemm calls use.
  private static func gather(
    _ g: ConvGeometry, outputGradient: UnsafePointer<Float>, images: Range<Int>, into panel: UnsafeMutablePointer<Float>
  ) {
    let plane = g.outputPlane
    let leading = images.count * plane
    for (b, image) in images.enumerated() {
      for f in 0..<g.filters {
        let source = outputGradient + (image &* g.outputImage &+ f &* plane)
        (panel + (f &* leading &+ b &* plane)).update(from: source, count: plane)
      }
    }
  }

  /// The gradients of `x` and `weight` (each only when asked) given `dY`.
  ///
  /// Per chunk: `dW_group += dY_c · col_cᵀ` and `dcol = Wᵀ · dY_c`, folded back by
  /// `col2im`. The column panel is rebuilt from `x` rather than kept from the forward pass
  /// (rebuilding an L2-sized panel is cheaper than streaming a whole-batch im2col).
  static func backward(
    _ g: ConvGeometry, outputGradient dy: Tensor, input x: Tensor, weight w: Tensor,
    needsInput: Bool, needsWeight: Bool, directKernels: Bool = DirectConvolution.isEnabled
  ) -> (input: Tensor?, weight: Tensor?) {
    precondition(dy.shape == g.outputShape, "conv2d: output gradient \(dy.shape) for output \(g.outputShape)")
    guard needsInput || needsWeight else { return (nil, nil) }
    if directKernels, let direct = direct(g) {
      return directBackward(
        g, direct, outputGradient: dy, input: x, weight: w, needsInput: needsInput, needsWeight: needsWeight)
    }
    guard g.batch > 0 else {
      return (
        needsInput ? Tensor(zeros: [0, g.channels, g.height, g.width]) : nil,
        needsWeight ? Tensor(zeros: [g.filters, g.channels, g.kernelHeight, g.kernelWidth]) : nil
      )
    }
    let gx = needsInput ? Tensor(uninitializedShape: [g.batch, g.channels, g.height, g.width]) : nil
    let weightCount = g.filters * g.patchSize
    let groups = min(g.chunkCount, weightGradientGroups)
    let partials = needsWeight ? TensorStorage(uninitializedCount: groups * weightCount) : nil
    let xp = UncheckedSendable(x.storage.base)
    let wp = UncheckedSendable(w.storage.base)
    let dyp = UncheckedSendable(dy.storage.base)
    let gxp = UncheckedSendable(gx?.storage.base)
    let pp = UncheckedSendable(partials?.base)
    let groupFlops = 4 * g.filters * g.patchSize * g.outputPlane * g.batch / groups
    BLAS.withSingleThread {
      Parallel.forEachClaimed(groups, costPerItem: groupFlops, minimumWork: 1 << 20) { claimed in
        let panelColumns = g.imagesPerChunk * g.outputPlane
        let columns = TensorStorage(uninitializedCount: g.patchSize * panelColumns)
        let gradientPanel = TensorStorage(uninitializedCount: g.filters * panelColumns)
        for group in claimed {
          let chunks = Parallel.range(part: group, of: groups, count: g.chunkCount)
          for chunk in chunks {
            let images = g.images(inChunk: chunk)
            let n = images.count * g.outputPlane
            // One image: its slice of dY is already the [F, OH·OW] panel.
            let panel =
              images.count == 1
              ? UnsafeMutablePointer(mutating: dyp.value + images.lowerBound * g.outputImage) : gradientPanel.base
            if images.count > 1 { gather(g, outputGradient: dyp.value, images: images, into: panel) }
            if let partial = pp.value {
              im2col(g, input: xp.value + images.lowerBound * g.inputImage, images: images.count, columns: columns.base)
              BLAS.sgemm(
                transposeA: false, transposeB: true, m: g.filters, n: g.patchSize, k: n,
                a: panel, lda: n, b: columns.base, ldb: n,
                beta: chunk == chunks.lowerBound ? 0 : 1, c: partial + group * weightCount)
            }
            if let inputGradient = gxp.value {
              BLAS.sgemm(
                transposeA: true, transposeB: false, m: g.patchSize, n: n, k: g.filters,
                a: wp.value, lda: g.patchSize, b: panel, ldb: n, c: columns.base)
              let destination = inputGradient + images.lowerBound * g.inputImage
              destination.update(repeating: 0, count: images.count * g.inputImage)
              col2im(g, columns: columns.base, images: images.count, output: destination)
            }
          }
        }
        withExtendedLifetime((columns, gradientPanel)) {}
      }
    }
    var gw: Tensor?
    if let partials {
      gw = sumPartials(
        partials.base, groups: groups, count: weightCount,
        shape: [g.filters, g.channels, g.kernelHeight, g.kernelWidth])
    }
    withExtendedLifetime((x, w, dy, partials)) {}
    return (gx, gw)
  }

  /// `Σ_group partials[group]` in group order (the fixed-order reduction of `dW`).
  private static func sumPartials(_ partials: UnsafeMutablePointer<Float>, groups: Int, count: Int, shape: [Int])
    -> Tensor
  {
    addPartials(partials, groups: groups, count: count)
    let result = Tensor(uninitializedShape: shape)
    result.storage.base.update(from: partials, count: count)
    return result
  }

  /// `dbias[f] = Σ_{n, oy, ox} dY[n, f, oy, ox]`, each filter summed by one thread in image order.
  static func biasGradient(_ g: ConvGeometry, outputGradient dy: Tensor) -> Tensor {
    let result = Tensor(uninitializedShape: [g.filters])
    let source = UncheckedSendable(dy.storage.base)
    let destination = UncheckedSendable(result.storage.base)
    Parallel.forEach(g.filters, costPerItem: g.batch * g.outputPlane, minimumWork: 1 << 18) { range in
      for f in range {
        var total = 0.0
        for image in 0..<g.batch {
          total += Double(sumFloats(source.value + image * g.outputImage + f * g.outputPlane, g.outputPlane))
        }
        destination.value[f] = Float(total)
      }
    }
    withExtendedLifetime(dy) {}
    return result
  }

  // MARK: Direct kernels
  //
  // Where channels and filters are multiples of 8 and the CPU has AVX2 + FMA, each chunk
  // is converted to `nChw8c` in a per-thread buffer, convolved by `DirectConvolution` and
  // converted back: one pass over the chunk's activations each way instead of im2col's
  // `KH·KW` copies, on kernels faster than sgemm on these shapes (BENCHMARKS.md). Chunks,
  // groups and their order are the im2col path's, so results stay bit-identical for any
  // thread count.

  /// The direct kernels for `g`, or nil where they do not apply.
  static func direct(_ g: ConvGeometry) -> DirectConvolution? {
    guard g.batch > 0, g.channels % 8 == 0, g.filters % 8 == 0, g.kernelHeight == g.kernelWidth else { return nil }
    return DirectConvolution(
      OneDNNConvShape(
        batch: g.imagesPerChunk, channels: g.channels, height: g.height, width: g.width, filters: g.filters,
        kernel: g.kernelHeight, stride: g.stride, padding: g.padding, plainSource: false))
  }

  private static func directForward(
    _ g: ConvGeometry, _ direct: DirectConvolution, input x: Tensor, weight w: Tensor, bias: Tensor?
  ) -> Tensor {
    let y = Tensor(uninitializedShape: g.outputShape)
    let weights = TensorStorage(uninitializedCount: direct.weightCount)
    direct.reorderWeights(w.storage.base, into: weights.base, forData: false)
    let (xp, wp, yp) = (
      UncheckedSendable(x.storage.base), UncheckedSendable(weights.base), UncheckedSendable(y.storage.base)
    )
    let bp = UncheckedSendable(bias?.storage.base)
    let chunkFlops = 2 * g.filters * g.patchSize * g.outputPlane * g.imagesPerChunk
    Parallel.forEachClaimed(g.chunkCount, costPerItem: chunkFlops, minimumWork: 1 << 20) { chunks in
      let source = TensorStorage(uninitializedCount: g.imagesPerChunk * g.inputImage)
      let output = TensorStorage(uninitializedCount: g.imagesPerChunk * g.outputImage)
      for chunk in chunks {
        let images = g.images(inChunk: chunk)
        DirectConvolution.toBlocked(
          xp.value + images.lowerBound * g.inputImage, images: images.count, channels: g.channels,
          plane: g.inputPlane, into: source.base)
        direct.forward(images: images.count, source: source.base, weights: wp.value, destination: output.base)
        let destination = yp.value + images.lowerBound * g.outputImage
        DirectConvolution.toPlain(
          output.base, images: images.count, channels: g.filters, plane: g.outputPlane, into: destination)
        if let bias = bp.value {
          for b in 0..<images.count {
            addBias(bias, to: destination + b * g.outputImage, filters: g.filters, plane: g.outputPlane)
          }
        }
      }
      withExtendedLifetime((source, output)) {}
    }
    withExtendedLifetime((x, weights, bias)) {}
    return y
  }

  private static func directBackward(
    _ g: ConvGeometry, _ direct: DirectConvolution, outputGradient dy: Tensor, input x: Tensor, weight w: Tensor,
    needsInput: Bool, needsWeight: Bool
  ) -> (input: Tensor?, weight: Tensor?) {
    let gx = needsInput ? Tensor(uninitializedShape: [g.batch, g.channels, g.height, g.width]) : nil
    let count = direct.weightCount
    let groups = min(g.chunkCount, weightGradientGroups)
    let partials = needsWeight ? TensorStorage(uninitializedCount: groups * count) : nil
    let dataWeights = needsInput ? TensorStorage(uninitializedCount: count) : nil
    if let dataWeights { direct.reorderWeights(w.storage.base, into: dataWeights.base, forData: true) }
    let (xp, dyp) = (UncheckedSendable(x.storage.base), UncheckedSendable(dy.storage.base))
    let (gxp, pp) = (UncheckedSendable(gx?.storage.base), UncheckedSendable(partials?.base))
    let wp = UncheckedSendable(dataWeights?.base)
    let groupFlops = 4 * g.filters * g.patchSize * g.outputPlane * g.batch / groups
    Parallel.forEachClaimed(groups, costPerItem: groupFlops, minimumWork: 1 << 20) { claimed in
      let chunk = g.imagesPerChunk
      let gradient = TensorStorage(uninitializedCount: chunk * g.outputImage)
      let source = needsWeight ? TensorStorage(uninitializedCount: chunk * g.inputImage) : nil
      let inputGradient = needsInput ? TensorStorage(uninitializedCount: chunk * g.inputImage) : nil
      for group in claimed {
        let partial = pp.value.map { $0 + group * count }
        partial?.update(repeating: 0, count: count)
        for chunk in Parallel.range(part: group, of: groups, count: g.chunkCount) {
          let images = g.images(inChunk: chunk)
          DirectConvolution.toBlocked(
            dyp.value + images.lowerBound * g.outputImage, images: images.count, channels: g.filters,
            plane: g.outputPlane, into: gradient.base)
          if let partial, let source {
            DirectConvolution.toBlocked(
              xp.value + images.lowerBound * g.inputImage, images: images.count, channels: g.channels,
              plane: g.inputPlane, into: source.base)
            direct.accumulateWeightGradient(
              images: images.count, source: source.base, destinationGradient: gradient.base, into: partial)
          }
          if let inputGradient, let weights = wp.value, let gx = gxp.value {
            direct.backwardData(
              images: images.count, destinationGradient: gradient.base, weights: weights,
              sourceGradient: inputGradient.base)
            DirectConvolution.toPlain(
              inputGradient.base, images: images.count, channels: g.channels, plane: g.inputPlane,
              into: gx + images.lowerBound * g.inputImage)
          }
        }
      }
      withExtendedLifetime((gradient, source, inputGradient)) {}
    }
    var gw: Tensor?
    if let partials {
      let blocked = sumPartials(partials.base, groups: groups, count: count, shape: [count])
      let result = Tensor(uninitializedShape: [g.filters, g.channels, g.kernelHeight, g.kernelWidth])
      direct.reorderWeightGradient(blocked.storage.base, to: result.storage.base)
      gw = result
    }
    withExtendedLifetime((x, dy, partials, dataWeights)) {}
    return (gx, gw)
  }
}
