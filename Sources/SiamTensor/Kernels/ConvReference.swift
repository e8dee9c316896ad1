/// The naive twin of `conv2d`: direct loops over every output and window element,
/// accumulating in `Double` (untracked; for tests).
///
/// Shapes: `x` `[N, C, H, W]`, `weight` `[F, C, KH, KW]`, `bias` `[F]`, result
/// `[N, F, OH, OW]` with `OH = (H + 2·padding − KH) / stride + 1`.
/// - Complexity: `2·N·F·OH·OW·C·KH·KW` operations, without any blocking.
public func conv2dReference(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
  let g = ConvGeometry(
    input: x.shape, weight: weight.shape, stride: stride, padding: padding, operation: "conv2dReference")
  if let bias {
    precondition(bias.shape == [g.filters], "conv2dReference: bias \(bias.shape) for weight \(weight.shape)")
  }
  let biasValues = bias?.scalars ?? [Float](repeating: 0, count: g.filters)
  var y = Tensor(uninitializedShape: g.outputShape)
  x.withUnsafeBufferPointer { xs in
    weight.withUnsafeBufferPointer { ws in
      y.withUnsafeMutableBufferPointer { ys in
        for n in 0..<g.batch {
          for f in 0..<g.filters {
            for oy in 0..<g.outHeight {
              for ox in 0..<g.outWidth {
                var sum = Double(biasValues[f])
                for c in 0..<g.channels {
                  for i in 0..<g.kernelHeight {
                    let iy = oy * stride - padding + i
                    guard iy >= 0 && iy < g.height else { continue }
                    for j in 0..<g.kernelWidth {
                      let ix = ox * stride - padding + j
                      guard ix >= 0 && ix < g.width else { continue }
                      let input = xs[((n * g.channels + c) * g.height + iy) * g.width + ix]
                      let w = ws[((f * g.channels + c) * g.kernelHeight + i) * g.kernelWidth + j]
                      sum += Double(input) * Double(w)
                    }
                  }
                }
                ys[((n * g.filters + f) * g.outHeight + oy) * g.outWidth + ox] = Float(sum)
              }
            }
          }
        }
      }
    }
  }
  return y
}
