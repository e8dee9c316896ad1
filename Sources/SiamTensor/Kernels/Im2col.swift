// im2col / col2im over a chunk of images, the data movement around conv2d's sgemm calls.
//
// The column matrix of a chunk of `B` images is `[C·KH·KW, B·OH·OW]` (row-major, leading
// dimension `B·OH·OW`): row `(c, i, j)` holds, for image `b` and output pixel `(oy, ox)`,
// the input `x[b, c, oy·stride − padding + i, ox·stride − padding + j]` (0 in the
// padding). Valid output ranges per kernel offset are computed once per call, so the inner
// loops are plain copies (stride 1) or strided gathers without index division.

/// Unfolds `images` consecutive images starting at `input` into `columns`.
///
/// - Complexity: `C·KH·KW·images·OH·OW` writes.
func im2col(
  _ g: ConvGeometry, input: UnsafePointer<Float>, images: Int, columns: UnsafeMutablePointer<Float>
) {
  let (rowRanges, columnRanges) = g.validWindows()
  let stride = g.stride
  let padding = g.padding
  let width = g.width
  let outWidth = g.outWidth
  let outHeight = g.outHeight
  let plane = g.outputPlane
  let leading = images &* plane
  for b in 0..<images {
    let image = input + b &* g.inputImage
    var row = 0
    for c in 0..<g.channels {
      let channel = image + c &* g.inputPlane
      for i in 0..<g.kernelHeight {
        let ys = rowRanges[i]
        for j in 0..<g.kernelWidth {
          let xs = columnRanges[j]
          let panel = columns + (row &* leading &+ b &* plane)
          if ys.lowerBound > 0 { panel.update(repeating: 0, count: ys.lowerBound &* outWidth) }
          let firstX = xs.lowerBound &* stride &- padding &+ j
          let leftPad = xs.lowerBound
          let rightPad = outWidth &- xs.upperBound
          let n = xs.count
          for oy in ys {
            let destination = panel + oy &* outWidth
            let source = channel + ((oy &* stride &- padding &+ i) &* width &+ firstX)
            zero(destination, count: leftPad)
            copy(from: source, stride: stride, to: destination + leftPad, count: n)
            zero(destination + xs.upperBound, count: rightPad)
          }
          if ys.upperBound < outHeight {
            (panel + ys.upperBound &* outWidth).update(repeating: 0, count: (outHeight &- ys.upperBound) &* outWidth)
          }
          row &+= 1
        }
      }
    }
  }
}

/// Folds `columns` back onto `images` consecutive images at `output`, adding every column
/// entry into the input pixel it was read from (the adjoint of `im2col`).
///
/// `output` must be zeroed (or hold values to accumulate into). The order of additions
/// into each pixel is fixed: rows `(c, i, j)` in order.
///
/// - Complexity: `C·KH·KW·images·OH·OW` additions.
func col2im(
  _ g: ConvGeometry, columns: UnsafePointer<Float>, images: Int, output: UnsafeMutablePointer<Float>
) {
  let (rowRanges, columnRanges) = g.validWindows()
  let stride = g.stride
  let padding = g.padding
  let width = g.width
  let outWidth = g.outWidth
  let plane = g.outputPlane
  let leading = images &* plane
  for b in 0..<images {
    let image = output + b &* g.inputImage
    var row = 0
    for c in 0..<g.channels {
      let channel = image + c &* g.inputPlane
      for i in 0..<g.kernelHeight {
        let ys = rowRanges[i]
        for j in 0..<g.kernelWidth {
          let xs = columnRanges[j]
          let panel = columns + (row &* leading &+ b &* plane)
          let firstX = xs.lowerBound &* stride &- padding &+ j
          let n = xs.count
          for oy in ys {
            let source = panel + (oy &* outWidth &+ xs.lowerBound)
            let destination = channel + ((oy &* stride &- padding &+ i) &* width &+ firstX)
            if stride == 1 {
              addVector(source, into: destination, count: n)
            } else {
              var t = 0
              var d = 0
              while t < n {
                destination[d] += source[t]
                t &+= 1
                d &+= stride
              }
            }
          }
          row &+= 1
        }
      }
    }
  }
}

/// `destination[t] += source[t]` for `t` in `0..<count`, eight lanes at a time.
@inline(__always)
func addVector(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, count: Int) {
  var t = 0
  while t &+ 8 <= count {
    let s = UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self)
    let d = UnsafeRawPointer(destination + t).loadUnaligned(as: SIMD8<Float>.self)
    UnsafeMutableRawPointer(destination + t).storeBytes(of: d + s, as: SIMD8<Float>.self)
    t &+= 8
  }
  while t < count {
    destination[t] += source[t]
    t &+= 1
  }
}

/// `destination[t] = 0` for `t` in `0..<count` (short runs: the padding of one row).
@inline(__always)
private func zero(_ destination: UnsafeMutablePointer<Float>, count: Int) {
  var t = 0
  while t < count {
    destination[t] = 0
    t &+= 1
  }
}

/// `destination[t] = source[t·stride]` for `t` in `0..<count`; eight lanes for strides 1
/// and 2 (stride 2 loads sixteen and keeps the even lanes, never reading past
/// `source[2·(count − 1)]`).
@inline(__always)
private func copy(
  from source: UnsafePointer<Float>, stride: Int, to destination: UnsafeMutablePointer<Float>, count: Int
) {
  var t = 0
  if stride == 1 {
    while t &+ 8 <= count {
      let v = UnsafeRawPointer(source + t).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(destination + t).storeBytes(of: v, as: SIMD8<Float>.self)
      t &+= 8
    }
  } else if stride == 2 {
    while t &+ 8 < count {
      let v = UnsafeRawPointer(source + 2 &* t).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(destination + t).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
      t &+= 8
    }
  }
  var s = t &* stride
  while t < count {
    destination[t] = source[s]
    t &+= 1
    s &+= stride
  }
}

/// Adds partials `1..<groups` (each `count` floats, one after another from `partials`) into
/// partial 0, every element summed in group order whatever the thread count; the elements
/// are spread over the engine's threads.
func addPartials(_ partials: UnsafeMutablePointer<Float>, groups: Int, count: Int) {
  guard groups > 1 else { return }
  let base = UncheckedSendable(partials)
  Parallel.forEach(count, costPerItem: groups, minimumWork: 1 << 16) { range in
    let destination = base.value + range.lowerBound
    for group in 1..<groups {
      addVector(base.value + group * count + range.lowerBound, into: destination, count: range.count)
    }
  }
}
