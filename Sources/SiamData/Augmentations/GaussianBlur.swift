import Foundation
import SiamTensor

/// A Gaussian blur of random width (torchvision's `GaussianBlur`; SimCLR applies it with
/// probability 0.5, BYOL with 1.0 and 0.1, which are the chain entry's).
///
/// Per sample, `σ ~ U(sigma)` (SimCLR's `0.1...2.0`) is drawn once and used on both axes.
/// The kernel is torchvision's `_get_gaussian_kernel1d`: taps at `−(k−1)/2 … (k−1)/2`,
/// weights `exp(−x²/2σ²)` normalised to sum 1, computed once per draw. The blur is
/// separable (rows, then columns), which equals torchvision's 2-D convolution with the
/// outer-product kernel up to float rounding. Borders use reflect padding (`x[−1] = x[1]`,
/// torchvision's `padding_mode="reflect"`); where the radius reaches past the far edge
/// (a kernel wider than the image, which torchvision rejects) reflection repeats.
///
/// Kernel size: `.fixed(k)` (odd), or `.fractionOfSide(f)` following SimCLR's code,
/// `k = 2·⌊⌊f·side⌋/2⌋ + 1` with `side = min(H, W)` of the image being blurred, but at
/// least 3 so that small crops still blur: 10 % gives `k = 3` on 14, 28 and 32 px images
/// and 23 on 224 px ones.
///
/// Draws: one uniform from the op key's stream. Shapes: `C, H, W` → `C, H, W`.
public struct GaussianBlur: AugmentationOp, Equatable {
  /// How the kernel size is chosen.
  public enum KernelSize: Sendable, Equatable {
    /// An odd number of taps.
    case fixed(Int)
    /// A fraction of the image's shorter side, made odd, at least 3.
    case fractionOfSide(Float)
  }

  public var kernelSize: KernelSize
  /// Range of the standard deviation, in pixels.
  public var sigma: ClosedRange<Float>

  /// - Parameters:
  ///   - kernelSize: `.fixed(k)` with `k` odd and positive, or `.fractionOfSide(f)`, `f > 0`.
  ///   - sigma: Standard deviation range, positive.
  public init(kernelSize: KernelSize = .fractionOfSide(0.1), sigma: ClosedRange<Float> = 0.1...2) {
    switch kernelSize {
    case .fixed(let k): precondition(k > 0 && k % 2 == 1, "GaussianBlur kernel size must be odd and positive, got \(k)")
    case .fractionOfSide(let f): precondition(f > 0, "GaussianBlur kernel fraction must be positive, got \(f)")
    }
    precondition(sigma.lowerBound > 0, "GaussianBlur sigma must be positive, got \(sigma)")
    self.kernelSize = kernelSize
    self.sigma = sigma
  }

  /// The number of taps used on an image of `height × width`.
  public func taps(height: Int, width: Int) -> Int {
    switch kernelSize {
    case .fixed(let k): return k
    case .fractionOfSide(let fraction):
      let raw = Int(fraction * Float(min(height, width)))
      return max(3, 2 * (raw / 2) + 1)
    }
  }

  /// The standard deviation drawn from `key`.
  public func drawnSigma(key: RandomKey) -> Float {
    var stream = RandomStream(key: key)
    return stream.nextUniform(sigma.lowerBound, sigma.upperBound)
  }

  /// torchvision's normalised 1-D Gaussian kernel of `taps` weights.
  public static func kernel(taps: Int, sigma: Float) -> [Float] {
    let half = Float(taps - 1) / 2
    var weights = (0..<taps).map { i -> Float in
      let x = (Float(i) - half) / sigma
      return expf(-0.5 * x * x)
    }
    let sum = weights.reduce(0, +)
    for i in weights.indices { weights[i] /= sum }
    return weights
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    let kernel = Self.kernel(taps: taps(height: image.height, width: image.width), sigma: drawnSigma(key: key))
    return Self.blurred(image, kernel: kernel)
  }

  /// `image` convolved with `kernel` along rows and then columns, reflect padding.
  ///
  /// Both passes run over whole rows (tap-outer, pixel-inner loops that vectorise): rows
  /// into a scratch plane through a padded line, then columns as weighted sums of
  /// reflected scratch rows.
  ///
  /// - Complexity: O(C·H·W·k).
  public static func blurred(_ image: Image, kernel: [Float]) -> Image {
    let (height, width) = (image.height, image.width)
    let radius = kernel.count / 2
    if radius == 0 { return image }
    var output = image
    let paddedWidth = width + 2 * radius
    withUnsafeTemporaryAllocation(of: Float.self, capacity: height * width + paddedWidth) { scratch in
      kernel.withUnsafeBufferPointer { weights in
        output.pixels.withUnsafeMutableBufferPointer { buffer in
          let taps = weights.baseAddress!
          let tapCount = kernel.count
          let rows = scratch.baseAddress!
          let padded = rows + height * width
          for c in 0..<image.channels {
            let plane = buffer.baseAddress! + c * height * width
            // Rows: pad each row into `padded`, write the convolution into `rows`.
            for y in 0..<height {
              let source = plane + y * width
              let target = rows + y * width
              (padded + radius).update(from: source, count: width)
              for i in 1...radius {
                padded[radius - i] = source[reflect(-i, count: width)]
                padded[radius + width - 1 + i] = source[reflect(width - 1 + i, count: width)]
              }
              target.update(repeating: 0, count: width)
              for t in 0..<tapCount {
                let w = taps[t]
                let window = padded + t
                for x in 0..<width { target[x] += w * window[x] }
              }
            }
            // Columns: each output row is a weighted sum of reflected rows.
            for y in 0..<height {
              let target = plane + y * width
              target.update(repeating: 0, count: width)
              for t in 0..<tapCount {
                let w = taps[t]
                let source = rows + reflect(y + t - radius, count: height) * width
                for x in 0..<width { target[x] += w * source[x] }
              }
            }
          }
        }
      }
    }
    return output
  }

  /// Index `i` reflected into `0..<count` (mirror without repeating the edge; periodic
  /// with period `2·(count − 1)` when `i` is far outside).
  @inline(__always)
  static func reflect(_ i: Int, count: Int) -> Int {
    if count == 1 { return 0 }
    let period = 2 * (count - 1)
    var j = i % period
    if j < 0 { j += period }
    return j < count ? j : period - j
  }
}
