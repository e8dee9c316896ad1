import Foundation

// Max, average and global average pooling. Each kernel runs over the `N·C` planes in
// parallel (one plane per thread at a time, in a fixed order inside the plane), so results
// do not depend on the thread count.

/// Max pooling over `kernelSize × kernelSize` windows (padding reads as −∞, as in
/// PyTorch). Ties and the gradient go to the first maximum in row-major window order.
///
/// Shapes: `[N, C, H, W] → [N, C, OH, OW]` with `OH = (H + 2·padding − kernelSize) / stride + 1`.
/// - Precondition: `padding ≤ kernelSize / 2` (PyTorch's rule; every window sees the input).
public func maxPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
  let g = poolingGeometry(x, kernelSize: kernelSize, stride: stride, padding: padding, operation: "maxPool2d")
  let planes = g.batch * g.channels
  let y = Tensor(uninitializedShape: g.outputShape)
  var indices = [Int32](repeating: 0, count: planes * g.outputPlane)
  let xp = UncheckedSendable(x.storage.base)
  let yp = UncheckedSendable(y.storage.base)
  indices.withUnsafeMutableBufferPointer { buffer in
    let ip = UncheckedSendable(buffer.baseAddress!)
    Parallel.forEach(planes, costPerItem: g.outputPlane * kernelSize * kernelSize) { range in
      for plane in range {
        let input = xp.value + plane &* g.inputPlane
        let output = yp.value + plane &* g.outputPlane
        let argmax = ip.value + plane &* g.outputPlane
        forEachWindow(g) { o, rows, columns in
          var best = -Float.infinity
          var at = rows.lowerBound &* g.width &+ columns.lowerBound
          for iy in rows {
            let row = iy &* g.width
            for ix in columns {
              let v = input[row &+ ix]
              if v > best || v.isNaN {
                best = v
                at = row &+ ix
              }
            }
          }
          output[o] = best
          argmax[o] = Int32(truncatingIfNeeded: at)
        }
      }
    }
  }
  withExtendedLifetime(x) {}
  let inputShape = x.shape
  let argmaxIndices = indices
  return y.recorded(inputs: [x]) { dy in
    let gx = Tensor(zeros: inputShape)
    let dyp = UncheckedSendable(dy.storage.base)
    let gxp = UncheckedSendable(gx.storage.base)
    argmaxIndices.withUnsafeBufferPointer { buffer in
      let ip = UncheckedSendable(buffer.baseAddress!)
      Parallel.forEach(planes, costPerItem: g.outputPlane * 2) { range in
        for plane in range {
          let d = gxp.value + plane &* g.inputPlane
          let upstream = dyp.value + plane &* g.outputPlane
          let argmax = ip.value + plane &* g.outputPlane
          for o in 0..<g.outputPlane { d[Int(argmax[o])] += upstream[o] }
        }
      }
    }
    withExtendedLifetime(dy) {}
    return [gx]
  }
}

/// Average pooling over `kernelSize × kernelSize` windows; padding counts as zeros in the
/// average (PyTorch's default `count_include_pad=True`), so every window divides by `k²`.
///
/// Shapes: `[N, C, H, W] → [N, C, OH, OW]` with `OH = (H + 2·padding − kernelSize) / stride + 1`.
/// - Precondition: `padding ≤ kernelSize / 2`.
public func avgPool2d(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int = 0) -> Tensor {
  let g = poolingGeometry(x, kernelSize: kernelSize, stride: stride, padding: padding, operation: "avgPool2d")
  let planes = g.batch * g.channels
  let scale = 1 / Float(kernelSize * kernelSize)
  let y = Tensor(uninitializedShape: g.outputShape)
  let xp = UncheckedSendable(x.storage.base)
  let yp = UncheckedSendable(y.storage.base)
  Parallel.forEach(planes, costPerItem: g.outputPlane * kernelSize * kernelSize) { range in
    for plane in range {
      let input = xp.value + plane &* g.inputPlane
      let output = yp.value + plane &* g.outputPlane
      forEachWindow(g) { o, rows, columns in
        var sum: Float = 0
        for iy in rows {
          let row = input + iy &* g.width
          for ix in columns { sum += row[ix] }
        }
        output[o] = sum * scale
      }
    }
  }
  withExtendedLifetime(x) {}
  let inputShape = x.shape
  return y.recorded(inputs: [x]) { dy in
    let gx = Tensor(zeros: inputShape)
    let dyp = UncheckedSendable(dy.storage.base)
    let gxp = UncheckedSendable(gx.storage.base)
    Parallel.forEach(planes, costPerItem: g.outputPlane * kernelSize * kernelSize) { range in
      for plane in range {
        let d = gxp.value + plane &* g.inputPlane
        let upstream = dyp.value + plane &* g.outputPlane
        forEachWindow(g) { o, rows, columns in
          let share = upstream[o] * scale
          for iy in rows {
            let row = d + iy &* g.width
            for ix in columns { row[ix] += share }
          }
        }
      }
    }
    withExtendedLifetime(dy) {}
    return [gx]
  }
}

/// Mean over the spatial axes. Shapes: `[N, C, H, W] → [N, C]`.
public func globalAveragePool(_ x: Tensor) -> Tensor {
  precondition(x.rank == 4, "globalAveragePool: input must be [N, C, H, W], got \(x.shape)")
  let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
  precondition(plane > 0, "globalAveragePool: empty spatial extent in \(x.shape)")
  let scale = 1 / Float(plane)
  let y = Tensor(uninitializedShape: [n, c])
  let xp = UncheckedSendable(x.storage.base)
  let yp = UncheckedSendable(y.storage.base)
  Parallel.forEach(n * c, costPerItem: plane) { range in
    for p in range { yp.value[p] = sumFloats(xp.value + p &* plane, plane) * scale }
  }
  withExtendedLifetime(x) {}
  let inputShape = x.shape
  return y.recorded(inputs: [x]) { dy in
    let gx = Tensor(uninitializedShape: inputShape)
    let dyp = UncheckedSendable(dy.storage.base)
    let gxp = UncheckedSendable(gx.storage.base)
    Parallel.forEach(n * c, costPerItem: plane) { range in
      for p in range { (gxp.value + p &* plane).update(repeating: dyp.value[p] * scale, count: plane) }
    }
    withExtendedLifetime(dy) {}
    return [gx]
  }
}

/// Adaptive average pooling to an `outputSize × outputSize` grid (PyTorch's
/// `nn.AdaptiveAvgPool2d(outputSize)`): output cell `(i, j)` is the mean of input rows
/// `⌊i·H/G⌋ ..< ⌈(i+1)·H/G⌉` and the columns given by the same rule over `W`, so
/// neighbouring cells overlap when `G` does not divide the input size (7 → 2: rows
/// 0..<4 and 3..<7). `outputSize` 1 is `globalAveragePool` kept 4-d.
///
/// Shapes: `[N, C, H, W] → [N, C, G, G]`.
/// A grid finer than the input repeats input cells, as PyTorch does.
/// - Precondition: `outputSize ≥ 1`.
public func adaptiveAvgPool2d(_ x: Tensor, outputSize: Int) -> Tensor {
  precondition(x.rank == 4, "adaptiveAvgPool2d: input must be [N, C, H, W], got \(x.shape)")
  let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  precondition(outputSize >= 1, "adaptiveAvgPool2d: outputSize must be at least 1, got \(outputSize)")
  precondition(h > 0 && w > 0, "adaptiveAvgPool2d: empty spatial extent in \(x.shape)")
  let rows = adaptiveBins(input: h, output: outputSize)
  let columns = adaptiveBins(input: w, output: outputSize)
  let (inputPlane, outputPlane) = (h * w, outputSize * outputSize)
  let y = Tensor(uninitializedShape: [n, c, outputSize, outputSize])
  let xp = UncheckedSendable(x.storage.base)
  let yp = UncheckedSendable(y.storage.base)
  Parallel.forEach(n * c, costPerItem: inputPlane * 2) { range in
    for plane in range {
      let input = xp.value + plane &* inputPlane
      let output = yp.value + plane &* outputPlane
      forEachBin(rows, columns) { o, rowBin, columnBin in
        var sum: Float = 0
        for iy in rowBin {
          let row = input + iy &* w
          for ix in columnBin { sum += row[ix] }
        }
        output[o] = sum / Float(rowBin.count * columnBin.count)
      }
    }
  }
  withExtendedLifetime(x) {}
  let inputShape = x.shape
  return y.recorded(inputs: [x]) { dy in
    let gx = Tensor(zeros: inputShape)
    let dyp = UncheckedSendable(dy.storage.base)
    let gxp = UncheckedSendable(gx.storage.base)
    Parallel.forEach(n * c, costPerItem: inputPlane * 2) { range in
      for plane in range {
        let d = gxp.value + plane &* inputPlane
        let upstream = dyp.value + plane &* outputPlane
        forEachBin(rows, columns) { o, rowBin, columnBin in
          let share = upstream[o] / Float(rowBin.count * columnBin.count)
          for iy in rowBin {
            let row = d + iy &* w
            for ix in columnBin { row[ix] += share }
          }
        }
      }
    }
    withExtendedLifetime(dy) {}
    return [gx]
  }
}

/// PyTorch's adaptive pooling bins: bin `i` of `output` covers `⌊i·input/output⌋ ..<
/// ⌈(i+1)·input/output⌉`.
func adaptiveBins(input: Int, output: Int) -> [Range<Int>] {
  (0..<output).map { i in (i * input / output)..<(((i + 1) * input + output - 1) / output) }
}

/// Calls `body(o, rows, columns)` for every cell `o` (row-major) of the grid of `rows` ×
/// `columns` bins.
@inline(__always)
private func forEachBin(_ rows: [Range<Int>], _ columns: [Range<Int>], _ body: (Int, Range<Int>, Range<Int>) -> Void) {
  var o = 0
  for rowBin in rows {
    for columnBin in columns {
      body(o, rowBin, columnBin)
      o &+= 1
    }
  }
}

// MARK: - Windows

private func poolingGeometry(_ x: Tensor, kernelSize: Int, stride: Int, padding: Int, operation: String) -> ConvGeometry
{
  precondition(x.rank == 4, "\(operation): input must be [N, C, H, W], got \(x.shape)")
  precondition(kernelSize >= 1, "\(operation): kernelSize must be at least 1, got \(kernelSize)")
  precondition(padding <= kernelSize / 2, "\(operation): padding \(padding) exceeds half the kernel size \(kernelSize)")
  return ConvGeometry(
    batch: x.shape[0], channels: x.shape[1], height: x.shape[2], width: x.shape[3], filters: x.shape[1],
    kernelHeight: kernelSize, kernelWidth: kernelSize, stride: stride, padding: padding, operation: operation)
}

/// Calls `body(o, rows, columns)` for every output position `o` (row-major in the plane)
/// with the input rows and columns its window covers, clipped to the input.
@inline(__always)
private func forEachWindow(_ g: ConvGeometry, _ body: (Int, Range<Int>, Range<Int>) -> Void) {
  var o = 0
  for oy in 0..<g.outHeight {
    let top = oy &* g.stride &- g.padding
    let rows = max(0, top)..<min(g.height, top &+ g.kernelHeight)
    for ox in 0..<g.outWidth {
      let left = ox &* g.stride &- g.padding
      body(o, rows, max(0, left)..<min(g.width, left &+ g.kernelWidth))
      o &+= 1
    }
  }
}
