/// Crop and bilinear-resize kernels shared by the geometric ops.
extension Image {
  /// The `height × width` window whose top-left corner is `(top, left)`; pixels outside
  /// the image are zero (torchvision's zero padding for `RandomCrop(padding:)` and for
  /// a `CenterCrop` larger than the image).
  ///
  /// - Complexity: O(C·height·width).
  func cropped(top: Int, left: Int, height outHeight: Int, width outWidth: Int) -> Image {
    precondition(outHeight > 0 && outWidth > 0, "crop size must be positive, got \(outHeight)×\(outWidth)")
    if top == 0 && left == 0 && outHeight == height && outWidth == width { return self }
    var output = [Float](repeating: 0, count: channels * outHeight * outWidth)
    // Columns and rows of the window that fall inside the image.
    let x0 = max(0, -left)
    let x1 = min(outWidth, width - left)
    let y0 = max(0, -top)
    let y1 = min(outHeight, height - top)
    if x0 < x1 && y0 < y1 {
      pixels.withUnsafeBufferPointer { source in
        output.withUnsafeMutableBufferPointer { target in
          let src = source.baseAddress!
          let dst = target.baseAddress!
          for c in 0..<channels {
            for y in y0..<y1 {
              let sourceRow: Int = (c &* height &+ top &+ y) &* width &+ left
              let targetRow: Int = (c &* outHeight &+ y) &* outWidth
              let s = src + sourceRow
              let d = dst + targetRow
              (d + x0).update(from: s + x0, count: x1 - x0)
            }
          }
        }
      }
    }
    return Image(channels: channels, height: outHeight, width: outWidth, pixels: output)
  }

  /// The window `(top, left, height, width)` (inside the image) resized to
  /// `outHeight × outWidth` by bilinear interpolation, PyTorch's
  /// `interpolate(mode: "bilinear", align_corners: False, antialias: False)`:
  /// output pixel `d` samples source coordinate `(d + 0.5) · in/out − 0.5`, clamped below
  /// at 0; neighbours beyond the last pixel repeat it.
  ///
  /// - Complexity: O(C·outHeight·outWidth).
  func bilinearResized(
    top: Int, left: Int, height inHeight: Int, width inWidth: Int, toHeight outHeight: Int, width outWidth: Int
  ) -> Image {
    precondition(
      top >= 0 && left >= 0 && inHeight > 0 && inWidth > 0
        && top + inHeight <= height && left + inWidth <= width,
      "window (\(top), \(left), \(inHeight)×\(inWidth)) outside image \(height)×\(width)")
    precondition(outHeight > 0 && outWidth > 0, "output size must be positive, got \(outHeight)×\(outWidth)")
    if inHeight == outHeight && inWidth == outWidth {
      return cropped(top: top, left: left, height: outHeight, width: outWidth)
    }
    var output = [Float](repeating: 0, count: channels * outHeight * outWidth)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (outWidth + outHeight)) { indices in
      withUnsafeTemporaryAllocation(of: Float.self, capacity: outWidth + outHeight) { weights in
        let xIndex = indices.baseAddress!
        let yIndex = xIndex + 2 * outWidth
        let xWeight = weights.baseAddress!
        let yWeight = xWeight + outWidth
        Self.linearTaps(input: inWidth, output: outWidth, offset: left, indices: xIndex, weights: xWeight)
        Self.linearTaps(input: inHeight, output: outHeight, offset: top, indices: yIndex, weights: yWeight)
        pixels.withUnsafeBufferPointer { source in
          output.withUnsafeMutableBufferPointer { target in
            let src = source.baseAddress!
            let dst = target.baseAddress!
            for c in 0..<channels {
              let plane = src + c &* height &* width
              for y in 0..<outHeight {
                let offset0: Int = yIndex[2 &* y] &* width
                let offset1: Int = yIndex[2 &* y &+ 1] &* width
                let row0 = plane + offset0
                let row1 = plane + offset1
                let wy = yWeight[y]
                let targetRow: Int = (c &* outHeight &+ y) &* outWidth
                let d = dst + targetRow
                for x in 0..<outWidth {
                  let i0 = xIndex[2 &* x]
                  let i1 = xIndex[2 &* x &+ 1]
                  let wx = xWeight[x]
                  let top = row0[i0] + wx * (row0[i1] - row0[i0])
                  let bottom = row1[i0] + wx * (row1[i1] - row1[i0])
                  d[x] = top + wy * (bottom - top)
                }
              }
            }
          }
        }
      }
    }
    return Image(channels: channels, height: outHeight, width: outWidth, pixels: output)
  }

  /// For each output position: the two source indices (plus `offset`) and the weight of
  /// the second, PyTorch's `area_pixel_compute_source_index` with `align_corners=False`.
  private static func linearTaps(
    input: Int, output: Int, offset: Int, indices: UnsafeMutablePointer<Int>, weights: UnsafeMutablePointer<Float>
  ) {
    let scale = Float(input) / Float(output)
    for d in 0..<output {
      let source = max(0, (Float(d) + 0.5) * scale - 0.5)
      let i0 = min(Int(source), input - 1)
      let i1 = min(i0 + 1, input - 1)
      indices[2 * d] = offset + i0
      indices[2 * d + 1] = offset + i1
      weights[d] = source - Float(i0)
    }
  }
}
