import Foundation

// Per-channel kernels of batch normalisation over `[N, C, S...]` tensors.
//
// Every kernel runs `Parallel.forEach` over channels and reads one channel's `N` planes
// (of `S` contiguous elements, `S = H·W`, or 1 for `[N, C]`) in image order on one
// thread: the reductions have a fixed order, so results are bit-identical for any thread
// count. Within a plane, sums use eight `Float` lanes; across planes they accumulate in
// `Double`.

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
  /// Distance between consecutive planes of one channel.
  var planeStride: Int { channels * spatial }

  func check(_ parameter: Tensor?, _ name: String, operation: String) {
    guard let parameter else { return }
    precondition(parameter.shape == [channels], "\(operation): \(name) must be [\(channels)], got \(parameter.shape)")
  }
}

enum BatchNormKernel {
  /// Per channel: `mean`, biased `variance` (two passes, the second over deviations), then
  /// `y = (x − mean)·γ/√(variance + ε) + β`, all while the channel is in cache.
  static func normalize(
    _ x: Tensor, _ layout: ChannelLayout, gamma: [Float]?, beta: [Float]?, epsilon: Float
  ) -> (output: Tensor, mean: [Float], variance: [Float], inverseStd: [Float]) {
    let y = Tensor(uninitializedShape: x.shape)
    var mean = [Float](repeating: 0, count: layout.channels)
    var variance = mean, inverseStd = mean
    let xp = UncheckedSendable(x.storage.base), yp = UncheckedSendable(y.storage.base)
    mean.withUnsafeMutableBufferPointer { m in
      variance.withUnsafeMutableBufferPointer { v in
        inverseStd.withUnsafeMutableBufferPointer { s in
          let out = UncheckedSendable((m.baseAddress!, v.baseAddress!, s.baseAddress!))
          Parallel.forEach(layout.channels, costPerItem: 6 * layout.perChannel) { range in
            for c in range {
              let source = xp.value + c &* layout.spatial
              let mu = Float(channelSum(source, layout) / Double(layout.perChannel))
              let sigma2 = Float(channelSquaredDeviations(source, layout, mean: mu) / Double(layout.perChannel))
              let invStd = 1 / (sigma2 + epsilon).squareRoot()
              let scale = (gamma?[c] ?? 1) * invStd
              let shift = (beta?[c] ?? 0) - mu * scale
              channelAffine(source, scale: scale, shift: shift, layout, output: yp.value + c &* layout.spatial)
              out.value.0[c] = mu
              out.value.1[c] = sigma2
              out.value.2[c] = invStd
            }
          }
        }
      }
    }
    withExtendedLifetime(x) {}
    return (y, mean, variance, inverseStd)
  }

  /// `y = x·scale[c] + shift[c]` for every channel.
  static func affine(_ x: Tensor, _ layout: ChannelLayout, scale: [Float], shift: [Float]) -> Tensor {
    let y = Tensor(uninitializedShape: x.shape)
    let xp = UncheckedSendable(x.storage.base), yp = UncheckedSendable(y.storage.base)
    Parallel.forEach(layout.channels, costPerItem: 2 * layout.perChannel, minimumWork: 1 << 18) { range in
      for c in range {
        channelAffine(xp.value + c &* layout.spatial, scale: scale[c], shift: shift[c], layout, output: yp.value + c &* layout.spatial)
      }
    }
    withExtendedLifetime(x) {}
    return y
  }

  /// Per channel `Σ g` and `Σ g·(x − mean)` (what every batch-norm pullback needs).
  static func gradientSums(_ g: Tensor, _ x: Tensor, _ layout: ChannelLayout, mean: [Float]) -> (sum: [Double], centeredDot: [Double]) {
    var sums = [Double](repeating: 0, count: layout.channels), dots = sums
    let gp = UncheckedSendable(g.storage.base), xp = UncheckedSendable(x.storage.base)
    sums.withUnsafeMutableBufferPointer { s in
      dots.withUnsafeMutableBufferPointer { d in
        let out = UncheckedSendable((s.baseAddress!, d.baseAddress!))
        Parallel.forEach(layout.channels, costPerItem: 4 * layout.perChannel) { range in
          for c in range {
            let offset = c &* layout.spatial
            let (sum, dot) = channelSumAndCenteredDot(gp.value + offset, xp.value + offset, layout, mean: mean[c])
            out.value.0[c] = sum
            out.value.1[c] = dot
          }
        }
      }
    }
    withExtendedLifetime((g, x)) {}
    return (sums, dots)
  }

  /// `dx = g·a[c] + x·b[c] + k[c]` for every channel.
  static func combine(_ g: Tensor, a: [Float], _ x: Tensor, b: [Float], k: [Float], _ layout: ChannelLayout) -> Tensor {
    let result = Tensor(uninitializedShape: x.shape)
    let gp = UncheckedSendable(g.storage.base), xp = UncheckedSendable(x.storage.base)
    let rp = UncheckedSendable(result.storage.base)
    Parallel.forEach(layout.channels, costPerItem: 3 * layout.perChannel, minimumWork: 1 << 18) { range in
      for c in range {
        let offset = c &* layout.spatial
        let gs = gp.value + offset, xs = xp.value + offset, rs = rp.value + offset
        let (ga, xb, shift) = (a[c], b[c], k[c])
        var base = 0
        for _ in 0..<layout.batch {
          for t in 0..<layout.spatial {
            let i = base &+ t
            rs[i] = gs[i] * ga + (xs[i] * xb + shift)
          }
          base &+= layout.planeStride
        }
      }
    }
    withExtendedLifetime((g, x)) {}
    return result
  }
}

// MARK: - One channel

@inline(__always)
private func channelSum(_ p: UnsafePointer<Float>, _ layout: ChannelLayout) -> Double {
  var total = 0.0, base = 0
  for _ in 0..<layout.batch {
    total += Double(sumFloats(p + base, layout.spatial))
    base &+= layout.planeStride
  }
  return total
}

@inline(__always)
private func channelSquaredDeviations(_ p: UnsafePointer<Float>, _ layout: ChannelLayout, mean: Float) -> Double {
  var total = 0.0, base = 0
  let m = SIMD8<Float>(repeating: mean)
  for _ in 0..<layout.batch {
    let plane = p + base
    var lanes = SIMD8<Float>(repeating: 0), t = 0
    while t &+ 8 <= layout.spatial {
      let d = UnsafeRawPointer(plane + t).loadUnaligned(as: SIMD8<Float>.self) - m
      lanes.addProduct(d, d)
      t &+= 8
    }
    var partial = lanes.sum()
    while t < layout.spatial {
      let d = plane[t] - mean
      partial += d * d
      t &+= 1
    }
    total += Double(partial)
    base &+= layout.planeStride
  }
  return total
}

@inline(__always)
private func channelSumAndCenteredDot(
  _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ layout: ChannelLayout, mean: Float
) -> (Double, Double) {
  var sum = 0.0, dot = 0.0, base = 0
  let m = SIMD8<Float>(repeating: mean)
  for _ in 0..<layout.batch {
    let gs = g + base, xs = x + base
    var sumLanes = SIMD8<Float>(repeating: 0), dotLanes = sumLanes, t = 0
    while t &+ 8 <= layout.spatial {
      let gv = UnsafeRawPointer(gs + t).loadUnaligned(as: SIMD8<Float>.self)
      let xv = UnsafeRawPointer(xs + t).loadUnaligned(as: SIMD8<Float>.self)
      sumLanes += gv
      dotLanes.addProduct(gv, xv - m)
      t &+= 8
    }
    var s = sumLanes.sum(), d = dotLanes.sum()
    while t < layout.spatial {
      s += gs[t]
      d += gs[t] * (xs[t] - mean)
      t &+= 1
    }
    sum += Double(s)
    dot += Double(d)
    base &+= layout.planeStride
  }
  return (sum, dot)
}

@inline(__always)
private func channelAffine(
  _ x: UnsafePointer<Float>, scale: Float, shift: Float, _ layout: ChannelLayout, output: UnsafeMutablePointer<Float>
) {
  var base = 0
  for _ in 0..<layout.batch {
    for t in 0..<layout.spatial {
      output[base &+ t] = x[base &+ t] * scale + shift
    }
    base &+= layout.planeStride
  }
}
