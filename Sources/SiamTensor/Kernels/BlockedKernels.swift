// Kernels over activations in the blocked layout `nChw8c` (oneDNN's name): a `[N, C, H, W]`
// tensor stored as `[N, C/8, H, W, 8]`, the eight channels of a block adjacent, so one
// `SIMD8<Float>` holds one pixel of eight channels. `C` must be a multiple of 8.
//
// Batch normalisation, ReLU and average pooling run here on the layout the convolutions
// write. Except for the layout conversions, each kernel is serial over a range of images:
// `convBatchNormReLUStack` calls them chunk by chunk inside its convolution passes, while
// the chunk is still in cache, and adds the chunks' partial sums in chunk order (so
// results do not depend on the thread count). The batch-norm passes have C twins with
// AVX2 in `CSiamKernels` (the same bits), used where the CPU has AVX2.

import CSiamKernels

/// The geometry of one `nChw8c` activation.
struct BlockedLayout: Sendable, Equatable {
  static let lanes = 8
  let batch: Int, channels: Int, height: Int, width: Int

  init(batch: Int, channels: Int, height: Int, width: Int) {
    precondition(channels % Self.lanes == 0, "nChw8c needs a multiple of 8 channels, got \(channels)")
    self.batch = batch
    self.channels = channels
    self.height = height
    self.width = width
  }

  var blocks: Int { channels / Self.lanes }
  var plane: Int { height * width }
  /// Elements per image (`C·H·W`).
  var image: Int { channels * plane }
  var count: Int { batch * image }
  /// Per-channel values `[C]` as one `SIMD8` per channel block.
  func laneVectors(_ values: [Float]) -> [SIMD8<Float>] {
    (0..<blocks).map { b in SIMD8<Float>((0..<8).map { values[b * 8 + $0] }) }
  }

  /// Image `n`'s values at pixel (0, 0), one `SIMD8` per channel block.
  func firstPixel(_ x: UnsafePointer<Float>, image n: Int) -> [SIMD8<Float>] {
    (0..<blocks).map { b in load8(x + offset(n, b * 8, 0, 0)) }
  }

  /// The offset of element `(n, c, y, x)`.
  @inline(__always)
  func offset(_ n: Int, _ c: Int, _ y: Int, _ x: Int) -> Int {
    (((n &* blocks &+ c / 8) &* height &+ y) &* width &+ x) &* 8 &+ c % 8
  }
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// The floats of one `SIMD8` per channel block, for the C kernels.
@inline(__always)
private func withFloats<R>(_ lanes: [SIMD8<Float>], _ body: (UnsafePointer<Float>) -> R) -> R {
  lanes.withUnsafeBufferPointer { body(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: Float.self)) }
}

/// Where a ReLU after batch norm passed its gradient: where `max(0, x·scale + shift) > 0`
/// for the pre-activation `x` (one `SIMD8` of `scale` and `shift` per channel block).
/// Recomputed from `x` with the multiply and add of `scaleShiftReLU`, so it is the mask that
/// `scaleShiftReLU`'s output gives, bit for bit, without computing or reading that output.
struct ReLUMask {
  let scale: [SIMD8<Float>], shift: [SIMD8<Float>]
}

enum BlockedKernel {
  // MARK: Layout conversions

  /// Plain `NCHW` → `nChw8c`.
  static func toBlocked(
    _ plain: UnsafePointer<Float>, _ layout: BlockedLayout, into blocked: UnsafeMutablePointer<Float>
  ) {
    let source = UncheckedSendable(plain)
    let destination = UncheckedSendable(blocked)
    Parallel.forEach(layout.batch, costPerItem: layout.image, minimumWork: 1 << 18) { images in
      for n in images {
        for b in 0..<layout.blocks {
          for lane in 0..<8 {
            let channel = n &* layout.channels &+ b &* 8 &+ lane
            let block = (n &* layout.blocks &+ b) &* layout.plane
            let from = source.value + channel &* layout.plane
            let to = destination.value + (block &* 8 &+ lane)
            for t in 0..<layout.plane { to[t &* 8] = from[t] }
          }
        }
      }
    }
  }

  /// `nChw8c` → plain `NCHW`.
  static func toPlain(_ blocked: UnsafePointer<Float>, _ layout: BlockedLayout, into plain: UnsafeMutablePointer<Float>)
  {
    let source = UncheckedSendable(blocked)
    let destination = UncheckedSendable(plain)
    Parallel.forEach(layout.batch, costPerItem: layout.image, minimumWork: 1 << 18) { images in
      for n in images {
        for b in 0..<layout.blocks {
          for lane in 0..<8 {
            let channel = n &* layout.channels &+ b &* 8 &+ lane
            let block = (n &* layout.blocks &+ b) &* layout.plane
            let from = source.value + (block &* 8 &+ lane)
            let to = destination.value + channel &* layout.plane
            for t in 0..<layout.plane { to[t] = from[t &* 8] }
          }
        }
      }
    }
  }

  // MARK: Batch normalisation + ReLU (serial, over a range of images)

  /// Adds to `first[c]` and `second[c]`, per channel over `images` and the plane, with
  /// `d = x − pivot[c]`: without `g`, `Σ d` and `Σ d²`; with `g` (masked where the ReLU
  /// output `max(0, x·scale + shift)` is ≤ 0 when `relu` is given), `Σ g` and `Σ g·d`.
  /// Sums run in eight `Float` lanes within a plane and in `Double` across planes; `pivot`,
  /// `scale` and `shift` hold one `SIMD8` per channel block.
  ///
  /// On a CPU with AVX2 the C twin in `CSiamKernels` runs (the same bits); `portable`
  /// forces this Swift loop (for the tests that compare them).
  static func channelSums(
    _ layout: BlockedLayout, images: Range<Int>, x: UnsafePointer<Float>, gradient: UnsafePointer<Float>?,
    relu: ReLUMask?, pivot: [SIMD8<Float>], first: UnsafeMutablePointer<Double>,
    second: UnsafeMutablePointer<Double>, portable: Bool = false
  ) {
    if !portable, DirectConvolution.isAvailable {
      let offset = images.lowerBound &* layout.image
      let g = gradient.map { $0 + offset }
      withFloats(pivot) { p in
        guard let relu else {
          siam_blocked_channel_sums(
            Int32(images.count), Int32(layout.blocks), Int32(layout.plane), x + offset, g, nil, nil, p, first, second)
          return
        }
        withFloats(relu.scale) { k in
          withFloats(relu.shift) { m in
            siam_blocked_channel_sums(
              Int32(images.count), Int32(layout.blocks), Int32(layout.plane), x + offset, g, k, m, p, first, second)
          }
        }
      }
      return
    }
    for n in images {
      for b in 0..<layout.blocks {
        let center = pivot[b]
        let base = (n &* layout.blocks &+ b) &* layout.plane &* 8
        // Two independent accumulator pairs (the adds' latency, not memory, bounds a
        // single chain on planes that fit in cache).
        var s1 = SIMD8<Float>()
        var s2 = SIMD8<Float>()
        var u1 = SIMD8<Float>()
        var u2 = SIMD8<Float>()
        let x = x + base
        let end = layout.plane &* 8
        let pairs = end & ~15
        if let gradient {
          let g = gradient + base
          if let relu {
            let (k, m) = (relu.scale[b], relu.shift[b])
            var t = 0
            while t < pairs {
              let (xa, xc) = (load8(x + t), load8(x + (t &+ 8)))
              var ga = load8(g + t)
              var gb = load8(g + (t &+ 8))
              ga.replace(with: 0, where: xa * k + m .<= 0)
              gb.replace(with: 0, where: xc * k + m .<= 0)
              s1 += ga
              u1 += gb
              s2 += ga * (xa - center)
              u2 += gb * (xc - center)
              t &+= 16
            }
            if t < end {
              let xa = load8(x + t)
              var ga = load8(g + t)
              ga.replace(with: 0, where: xa * k + m .<= 0)
              s1 += ga
              s2 += ga * (xa - center)
            }
          } else {
            var t = 0
            while t < end {
              let ga = load8(g + t)
              s1 += ga
              s2 += ga * (load8(x + t) - center)
              t &+= 8
            }
          }
        } else {
          var t = 0
          while t < pairs {
            let da = load8(x + t) - center
            let db = load8(x + (t &+ 8)) - center
            s1 += da
            u1 += db
            s2 += da * da
            u2 += db * db
            t &+= 16
          }
          if t < end {
            let d = load8(x + t) - center
            s1 += d
            s2 += d * d
          }
        }
        s1 += u1
        s2 += u2
        for lane in 0..<8 {
          first[b &* 8 &+ lane] += Double(s1[lane])
          second[b &* 8 &+ lane] += Double(s2[lane])
        }
      }
    }
  }

  /// `out = max(0, x·scale[c] + shift[c])` over `images` (one `SIMD8` per channel block).
  /// `chunk` holds the range's images only, from its first: a chunk's scratch, not a
  /// whole-batch tensor.
  static func scaleShiftReLU(
    _ layout: BlockedLayout, images: Range<Int>, x: UnsafePointer<Float>, scale: [SIMD8<Float>],
    shift: [SIMD8<Float>], intoChunk chunk: UnsafeMutablePointer<Float>, portable: Bool = false
  ) {
    let offset = images.lowerBound &* layout.image
    if !portable, DirectConvolution.isAvailable {
      withFloats(scale) { k in
        withFloats(shift) { m in
          siam_blocked_scale_shift_relu(
            Int32(images.count), Int32(layout.blocks), Int32(layout.plane), x + offset, k, m, chunk)
        }
      }
      return
    }
    let (end, source) = (layout.plane &* 8, x + offset)
    for n in 0..<images.count {
      for b in 0..<layout.blocks {
        let base = (n &* layout.blocks &+ b) &* layout.plane &* 8
        let (k, m) = (scale[b], shift[b])
        var t = 0
        while t < end {
          var v = load8(source + (base &+ t)) * k + m
          v.replace(with: 0, where: v .< 0)
          store8(v, chunk + (base &+ t))
          t &+= 8
        }
      }
    }
  }

  /// `out = a·(g masked where max(0, x·scale + shift) ≤ 0) + b·x + k`, per channel, over
  /// `images`: the batch-norm (+ ReLU) input gradient. Writes over `g` when `output` is `g`.
  static func maskedAffineGradient(
    _ layout: BlockedLayout, images: Range<Int>, gradient: UnsafePointer<Float>, relu: ReLUMask,
    x: UnsafePointer<Float>, a: [SIMD8<Float>], b: [SIMD8<Float>], k: [SIMD8<Float>],
    into output: UnsafeMutablePointer<Float>, portable: Bool = false
  ) {
    if !portable, DirectConvolution.isAvailable {
      let offset = images.lowerBound &* layout.image
      withFloats(a) { ap in
        withFloats(b) { bp in
          withFloats(k) { kp in
            withFloats(relu.scale) { sp in
              withFloats(relu.shift) { mp in
                siam_blocked_masked_affine_gradient(
                  Int32(images.count), Int32(layout.blocks), Int32(layout.plane), gradient + offset, sp, mp,
                  x + offset, ap, bp, kp, output + offset)
              }
            }
          }
        }
      }
      return
    }
    let end = layout.plane &* 8
    for n in images {
      for block in 0..<layout.blocks {
        let base = (n &* layout.blocks &+ block) &* layout.plane &* 8
        let (ga, xb, kk) = (a[block], b[block], k[block])
        let (sk, sm) = (relu.scale[block], relu.shift[block])
        var t = 0
        while t < end {
          let xv = load8(x + (base &+ t))
          var gv = load8(gradient + (base &+ t))
          gv.replace(with: 0, where: xv * sk + sm .<= 0)
          store8(gv * ga + (xv * xb + kk), output + (base &+ t))
          t &+= 8
        }
      }
    }
  }

  // MARK: Adaptive average pooling (serial, over a range of images)

  /// `nChw8c` `[N, C, H, W]` → plain `[N, C·p·p]` (PyTorch's `AdaptiveAvgPool2d(p)` then
  /// `flatten`), for `images`; `chunk` holds the range's images only, from its first.
  static func adaptivePool(
    _ layout: BlockedLayout, images: Range<Int>, chunk x: UnsafePointer<Float>, outputSize p: Int,
    into output: UnsafeMutablePointer<Float>
  ) {
    let rows = adaptiveBins(input: layout.height, output: p)
    let columns = adaptiveBins(input: layout.width, output: p)
    for n in images {
      for b in 0..<layout.blocks {
        let base = x + ((n &- images.lowerBound) &* layout.blocks &+ b) &* layout.plane &* 8
        for (i, rowBin) in rows.enumerated() {
          for (j, columnBin) in columns.enumerated() {
            var sum = SIMD8<Float>()
            for y in rowBin {
              for x in columnBin { sum += load8(base + (y &* layout.width &+ x) &* 8) }
            }
            let mean = sum / Float(rowBin.count * columnBin.count)
            for lane in 0..<8 {
              output[n &* layout.channels &* p &* p &+ (b &* 8 &+ lane) &* p &* p &+ i &* p &+ j] = mean[lane]
            }
          }
        }
      }
    }
  }

  /// The adjoint of `adaptivePool`: plain `[N, C·p·p]` → `nChw8c` (zeroed first), for
  /// `images`.
  static func adaptivePoolGradient(
    _ layout: BlockedLayout, images: Range<Int>, gradient: UnsafePointer<Float>, outputSize p: Int,
    into output: UnsafeMutablePointer<Float>
  ) {
    let rows = adaptiveBins(input: layout.height, output: p)
    let columns = adaptiveBins(input: layout.width, output: p)
    for n in images {
      for b in 0..<layout.blocks {
        let base = output + (n &* layout.blocks &+ b) &* layout.plane &* 8
        base.update(repeating: 0, count: layout.plane &* 8)
        for (i, rowBin) in rows.enumerated() {
          for (j, columnBin) in columns.enumerated() {
            var g = SIMD8<Float>()
            for lane in 0..<8 {
              g[lane] = gradient[n &* layout.channels &* p &* p &+ (b &* 8 &+ lane) &* p &* p &+ i &* p &+ j]
            }
            g /= Float(rowBin.count * columnBin.count)
            for y in rowBin {
              for x in columnBin {
                let cell = base + (y &* layout.width &+ x) &* 8
                store8(load8(cell) + g, cell)
              }
            }
          }
        }
      }
    }
  }

  // MARK: First-layer weight gradient

  /// `dW[f, c, i, j] += Σ_{images, oy, ox} dY[n, f, oy, ox]·x[n, c, oy·s − p + i, ox·s − p + j]`
  /// for a plain-`NCHW` source (a first layer with few channels, where oneDNN has only a
  /// reference kernel) and an `nChw8c` output gradient, over `images` images from the
  /// given pointers. `dW` is plain `OIHW`.
  ///
  /// Each image is first copied into a zero-padded plane, so the inner loops have no
  /// bounds checks; a one-channel 3×3 kernel (the convnet's first layer) keeps its nine
  /// eight-filter accumulators in registers. With AVX2, the C twin runs (the same bits;
  /// `portable` forces the Swift loops).
  static func plainSourceWeightGradient(
    _ shape: OneDNNConvShape, images: Int, source: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
    into weights: UnsafeMutablePointer<Float>, portable: Bool = false
  ) {
    let (channels, k, stride, padding) = (shape.channels, shape.kernel, shape.stride, shape.padding)
    let (height, width, outHeight, outWidth) = (shape.height, shape.width, shape.outHeight, shape.outWidth)
    let taps = channels * k * k
    let blocks = shape.filters / 8
    // The padded planes must cover every window, also past the far edge when the stride
    // does not divide the extent.
    let paddedHeight = max(height + 2 * padding, (outHeight - 1) * stride + k)
    let paddedWidth = max(width + 2 * padding, (outWidth - 1) * stride + k)
    let paddedImage = channels * paddedHeight * paddedWidth
    let padded = UnsafeMutablePointer<Float>.allocate(capacity: images * paddedImage)
    defer { padded.deallocate() }
    padded.initialize(repeating: 0, count: images * paddedImage)
    for n in 0..<images {
      for c in 0..<channels {
        for y in 0..<height {
          let from = source + ((n &* channels &+ c) &* height &+ y) &* width
          let row: Int = c &* paddedHeight &+ y &+ padding
          let offset: Int = n &* paddedImage &+ row &* paddedWidth &+ padding
          let to = padded + offset
          to.update(from: from, count: width)
        }
      }
    }
    let plane = outHeight * outWidth
    if !portable, DirectConvolution.isAvailable {
      let scratch = TensorStorage(uninitializedCount: taps * 8)
      siam_plain_source_weight_gradient(
        Int32(images), Int32(channels), Int32(paddedHeight), Int32(paddedWidth), Int32(k), Int32(stride),
        Int32(outHeight), Int32(outWidth), Int32(blocks), padded, outputGradient, weights, scratch.base)
      withExtendedLifetime(scratch) {}
      return
    }
    if channels == 1 && k == 3 {
      for b in 0..<blocks {
        var a0 = SIMD8<Float>()
        var a1 = SIMD8<Float>()
        var a2 = SIMD8<Float>()
        var a3 = SIMD8<Float>()
        var a4 = SIMD8<Float>()
        var a5 = SIMD8<Float>()
        var a6 = SIMD8<Float>()
        var a7 = SIMD8<Float>()
        var a8 = SIMD8<Float>()
        for n in 0..<images {
          let image = padded + n &* paddedImage
          let gradient = outputGradient + (n &* blocks &+ b) &* plane &* 8
          for oy in 0..<outHeight {
            let row0 = image + oy &* stride &* paddedWidth
            let row1 = row0 + paddedWidth
            let row2 = row1 + paddedWidth
            let gRow = gradient + oy &* outWidth &* 8
            for ox in 0..<outWidth {
              let g = load8(gRow + ox &* 8)
              let x = ox &* stride
              a0 += g * row0[x]
              a1 += g * row0[x &+ 1]
              a2 += g * row0[x &+ 2]
              a3 += g * row1[x]
              a4 += g * row1[x &+ 1]
              a5 += g * row1[x &+ 2]
              a6 += g * row2[x]
              a7 += g * row2[x &+ 1]
              a8 += g * row2[x &+ 2]
            }
          }
        }
        let sums = [a0, a1, a2, a3, a4, a5, a6, a7, a8]
        for lane in 0..<8 {
          let row = weights + (b &* 8 &+ lane) &* 9
          for t in 0..<9 { row[t] += sums[t][lane] }
        }
      }
      return
    }
    withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: taps) { accumulators in
      for b in 0..<blocks {
        for t in 0..<taps { accumulators[t] = SIMD8<Float>() }
        for n in 0..<images {
          let image = padded + n &* paddedImage
          let gradient = outputGradient + (n &* blocks &+ b) &* plane &* 8
          for oy in 0..<outHeight {
            for ox in 0..<outWidth {
              let g = load8(gradient + (oy &* outWidth &+ ox) &* 8)
              var t = 0
              for c in 0..<channels {
                let row: Int = c &* paddedHeight &+ oy &* stride
                let window = image + (row &* paddedWidth &+ ox &* stride)
                for i in 0..<k {
                  for j in 0..<k {
                    accumulators[t] += g * window[i &* paddedWidth &+ j]
                    t &+= 1
                  }
                }
              }
            }
          }
        }
        for lane in 0..<8 {
          let row = weights + (b &* 8 &+ lane) &* taps
          for t in 0..<taps { row[t] += accumulators[t][lane] }
        }
      }
    }
  }
}
