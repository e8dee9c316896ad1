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
  let stride = g.stride, padding = g.padding, width = g.width
  let outWidth = g.outWidth, outHeight = g.outHeight
  let plane = g.outputPlane, leading = images &* plane
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
          for oy in ys {
            let destination = panel + oy &* outWidth
            let source = channel + ((oy &* stride &- padding &+ i) &* width &+ firstX)
            if xs.lowerBound > 0 { destination.update(repeating: 0, count: xs.lowerBound) }
            let d = destination + xs.lowerBound
            let n = xs.count
            if stride == 1 {
              d.update(from: source, count: n)
            } else {
              var t = 0, s = 0
              while t < n {
                d[t] = source[s]
                t &+= 1
                s &+= stride
              }
            }
            if xs.upperBound < outWidth { (destination + xs.upperBound).update(repeating: 0, count: outWidth &- xs.upperBound) }
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
  let stride = g.stride, padding = g.padding, width = g.width, outWidth = g.outWidth
  let plane = g.outputPlane, leading = images &* plane
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
              var t = 0, d = 0
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
