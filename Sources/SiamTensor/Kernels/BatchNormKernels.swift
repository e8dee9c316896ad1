import Foundation

// Per-channel kernels of batch normalisation over `[N, C, S...]` tensors.
//
// Every pass walks the tensor in memory order (images, then channel planes of `S`
// contiguous elements, `S = H·W`, or 1 for `[N, C]`): reading one channel's strided planes
// instead defeats the hardware prefetcher (measured about 2× slower). Reductions over images go
// through a fixed number of image blocks (`reductionBlocks`, a function of `N` only): each
// block's per-channel partial sums are computed by one thread and the partials are added
// in block order, so results are bit-identical for any thread count. Within a plane sums
// use eight `Float` lanes; across planes and blocks they accumulate in `Double`.

/// The channel view of a batch-norm input: `N` planes of `spatial` elements per channel.
struct ChannelLayout: Sendable {
  let batch: Int, channels: Int, spatial: Int

  init(_ shape: [Int], operation: String) {
    precondition(shape.count >= 2, "\(operation): input must be [N, C] or [N, C, H, W], got \(shape)")
    batch = shape[0]
    channels = shape[1]
    spatial = shape[2...].reduce(1, *)
    precondition(batch * spatial > 0, "\(operation): no elements per channel in \(shape)")
  }

  /// Elements per channel (`N·S`).
  var perChannel: Int { batch * spatial }
  /// Elements per image (`C·S`).
  var image: Int { channels * spatial }
  /// Image blocks of the reductions (fixed by `N`, never by the thread count).
  var reductionBlocks: Int { min(batch, 16) }

  func check(_ parameter: Tensor?, _ name: String, operation: String) {
    guard let parameter else { return }
    precondition(parameter.shape == [channels], "\(operation): \(name) must be [\(channels)], got \(parameter.shape)")
  }
}

enum BatchNormKernel {
  /// Per channel: `mean` and biased `variance` in one pass (sums of deviations from a
  /// per-channel pivot, the channel's first element, to avoid cancellation), then
  /// `y = (x − mean)·γ/√(variance + ε) + β` in a second.
  static func normalize(
    _ x: Tensor, _ layout: ChannelLayout, gamma: [Float]?, beta: [Float]?, epsilon: Float
  ) -> (output: Tensor, mean: [Float], variance: [Float], inverseStd: [Float]) {
    let pivot = (0..<layout.channels).map { x.storage.base[$0 * layout.spatial] }
    let (sums, squares) = channelSums(layout, x, nil, pivot: pivot)
    let count = Double(layout.perChannel)
    var mean = [Float]()
    var variance = [Float]()
    var inverseStd = [Float]()
    var scale = [Float]()
    var shift = [Float]()
    for c in 0..<layout.channels {
      let offset = sums[c] / count
      let mu = Float(Double(pivot[c]) + offset)
      let sigma2 = Float(max(0, squares[c] / count - offset * offset))
      let invStd = 1 / (sigma2 + epsilon).squareRoot()
      mean.append(mu)
      variance.append(sigma2)
      inverseStd.append(invStd)
      scale.append((gamma?[c] ?? 1) * invStd)
      shift.append((beta?[c] ?? 0) - mu * scale[c])
    }
    let y = combine(nil, a: nil, x, b: scale, k: shift, layout)
    withExtendedLifetime(x) {}
    return (y, mean, variance, inverseStd)
  }

  /// `y = x·scale[c] + shift[c]` for every channel.
  static func affine(_ x: Tensor, _ layout: ChannelLayout, scale: [Float], shift: [Float]) -> Tensor {
    combine(nil, a: nil, x, b: scale, k: shift, layout)
  }

  /// Per channel `Σ g` and `Σ g·(x − mean)` (what every batch-norm pullback needs).
  static func gradientSums(_ g: Tensor, _ x: Tensor, _ layout: ChannelLayout, mean: [Float]) -> (
    sum: [Double], centeredDot: [Double]
  ) {
    channelSums(layout, x, g, pivot: mean)
  }

  /// `r = g·a[c] + x·b[c] + k[c]` for every channel (`g` and `a` may be absent), in memory
  /// order, parallel over images.
  static func combine(_ g: Tensor?, a: [Float]?, _ x: Tensor, b: [Float], k: [Float], _ layout: ChannelLayout) -> Tensor
  {
    let result = Tensor(uninitializedShape: x.shape)
    let gp = UncheckedSendable(g?.storage.base)
    let xp = UncheckedSendable(x.storage.base)
    let rp = UncheckedSendable(result.storage.base)
    let (channels, spatial) = (layout.channels, layout.spatial)
    let ga = a ?? [Float](repeating: 0, count: channels)
    Parallel.forEach(layout.batch, costPerItem: 3 * layout.image, minimumWork: 1 << 18) { images in
      for n in images {
        let offset = n &* layout.image
        let xs = xp.value + offset
        let rs = rp.value + offset
        let gs = gp.value.map { $0 + offset }
        if spatial == 1 {
          if let gs {
            for c in 0..<channels { rs[c] = gs[c] * ga[c] + (xs[c] * b[c] + k[c]) }
          } else {
            for c in 0..<channels { rs[c] = xs[c] * b[c] + k[c] }
          }
          continue
        }
        for c in 0..<channels {
          let base = c &* spatial
          let (slope, shift) = (b[c], k[c])
          if let gs {
            let gain = ga[c]
            for t in base..<(base &+ spatial) { rs[t] = gs[t] * gain + (xs[t] * slope + shift) }
          } else {
            for t in base..<(base &+ spatial) { rs[t] = xs[t] * slope + shift }
          }
        }
      }
    }
    withExtendedLifetime((g, x)) {}
    return result
  }

  /// Per channel, with `d = x − pivot[c]`: without `g`, `(Σ d, Σ d²)`; with `g`, `(Σ g, Σ g·d)`.
  /// One pass in memory order over fixed image blocks; block partials summed in order.
  private static func channelSums(_ layout: ChannelLayout, _ x: Tensor, _ g: Tensor?, pivot: [Float]) -> (
    [Double], [Double]
  ) {
    let (channels, spatial, blocks) = (layout.channels, layout.spatial, layout.reductionBlocks)
    var first = [Double](repeating: 0, count: blocks * channels)
    var second = first
    let xp = UncheckedSendable(x.storage.base)
    let gp = UncheckedSendable(g?.storage.base)
    first.withUnsafeMutableBufferPointer { f in
      second.withUnsafeMutableBufferPointer { s in
        let out = UncheckedSendable((f.baseAddress!, s.baseAddress!))
        Parallel.forEach(blocks, costPerItem: 4 * layout.perChannel * channels / blocks, minimumWork: 1 << 18) {
          range in
          for block in range {
            let sums = out.value.0 + block &* channels
            let seconds = out.value.1 + block &* channels
            for n in Parallel.range(part: block, of: blocks, count: layout.batch) {
              let xs = xp.value + n &* layout.image
              if spatial == 1 {
                if let g = gp.value {
                  let gs = g + n &* layout.image
                  for c in 0..<channels {
                    let gv = Double(gs[c])
                    sums[c] += gv
                    seconds[c] += gv * Double(xs[c] - pivot[c])
                  }
                } else {
                  for c in 0..<channels {
                    let d = Double(xs[c] - pivot[c])
                    sums[c] += d
                    seconds[c] += d * d
                  }
                }
                continue
              }
              for c in 0..<channels {
                let plane = c &* spatial
                let (a, b) = planeSums(
                  xs + plane, gp.value.map { $0 + (n &* layout.image &+ plane) }, spatial, pivot: pivot[c])
                sums[c] += Double(a)
                seconds[c] += Double(b)
              }
            }
          }
        }
      }
    }
    var totalFirst = [Double](repeating: 0, count: channels)
    var totalSecond = totalFirst
    for block in 0..<blocks {
      for c in 0..<channels {
        totalFirst[c] += first[block * channels + c]
        totalSecond[c] += second[block * channels + c]
      }
    }
    withExtendedLifetime((x, g)) {}
    return (totalFirst, totalSecond)
  }
}

// MARK: - One plane

/// With `d = x − pivot`: `(Σ d, Σ d²)` without `g`, `(Σ g, Σ g·d)` with it; eight lanes.
@inline(__always)
private func planeSums(_ x: UnsafePointer<Float>, _ g: UnsafePointer<Float>?, _ count: Int, pivot: Float) -> (
  Float, Float
) {
  let m = SIMD8<Float>(repeating: pivot)
  var first = SIMD8<Float>(repeating: 0)
  var second = first
  var t = 0
  if let g {
    while t &+ 8 <= count {
      let gv = UnsafeRawPointer(g + t).loadUnaligned(as: SIMD8<Float>.self)
      let d = UnsafeRawPointer(x + t).loadUnaligned(as: SIMD8<Float>.self) - m
      first += gv
      second += gv * d
      t &+= 8
    }
  } else {
    while t &+ 8 <= count {
      let d = UnsafeRawPointer(x + t).loadUnaligned(as: SIMD8<Float>.self) - m
      first += d
      second += d * d
      t &+= 8
    }
  }
  var a = first.sum()
  var b = second.sum()
  while t < count {
    let d = x[t] - pivot
    let w = g?[t] ?? d
    a += g == nil ? d : w
    b += w * d
    t &+= 1
  }
  return (a, b)
}
