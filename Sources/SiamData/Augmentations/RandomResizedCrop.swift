import Foundation
import SiamTensor

/// A random crop of random area and aspect ratio, resized to a fixed size (torchvision's
/// `RandomResizedCrop`, the main augmentation of SimCLR, MoCo and BYOL).
///
/// The crop box follows torchvision's `RandomResizedCrop.get_params` exactly:
/// up to 10 tries draw an area fraction `s ~ U(scale)` and an aspect ratio
/// `r = exp(U(log ratio.lower, log ratio.upper))` (uniform in log space), set
/// `w = round(√(s·H·W·r))`, `h = round(√(s·H·W / r))` (Python rounding, half to even) and
/// accept when `0 < w ≤ W` and `0 < h ≤ H`, placing the box at `top ~ U{0…H−h}`,
/// `left ~ U{0…W−w}`. When all 10 tries fail the box is a center crop: the whole image
/// when its aspect ratio lies inside `ratio`, otherwise the widest (tallest) box of the
/// extreme allowed ratio, at `((H−h)/2, (W−w)/2)` rounded down.
///
/// The box is resized by bilinear interpolation with PyTorch's `align_corners=False`
/// convention and no antialiasing (torchvision's `antialias=False`; tensors before
/// torchvision 0.17 behaved so, and on 28–32 px images the downscaling factors are small).
///
/// Draws: a `RandomStream` over the op key (two uniforms per try, then two integers).
/// Shapes: `C, H, W` → `C, size.height, size.width`.
public struct RandomResizedCrop: AugmentationOp, Equatable {
  public var height: Int
  public var width: Int
  /// Range of the crop's area as a fraction of the image's area.
  public var scale: ClosedRange<Float>
  /// Range of the crop's aspect ratio (width / height), sampled in log space.
  public var ratio: ClosedRange<Float>

  /// - Parameters:
  ///   - height: Output height.
  ///   - width: Output width.
  ///   - scale: Area fraction range, within `(0, 1]`; torchvision's default `0.08...1`.
  ///   - ratio: Aspect ratio range, positive; torchvision's default `3/4...4/3`.
  public init(
    height: Int, width: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = (3.0 / 4)...(4.0 / 3)
  ) {
    precondition(height > 0 && width > 0, "RandomResizedCrop size must be positive, got \(height)×\(width)")
    precondition(
      scale.lowerBound > 0 && scale.upperBound <= 1, "RandomResizedCrop scale must lie in (0, 1], got \(scale)")
    precondition(ratio.lowerBound > 0, "RandomResizedCrop ratio must be positive, got \(ratio)")
    self.height = height
    self.width = width
    self.scale = scale
    self.ratio = ratio
  }

  /// A square output of side `size`.
  public init(size: Int, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = (3.0 / 4)...(4.0 / 3)) {
    self.init(height: size, width: size, scale: scale, ratio: ratio)
  }

  /// The crop box `(top, left, height, width)` for an image of `imageHeight × imageWidth`.
  public func cropBox(imageHeight: Int, imageWidth: Int, key: RandomKey)
    -> (top: Int, left: Int, height: Int, width: Int)
  {
    var stream = RandomStream(key: key)
    let area = Float(imageHeight * imageWidth)
    let logLower = logf(ratio.lowerBound)
    let logUpper = logf(ratio.upperBound)
    for _ in 0..<10 {
      let targetArea = area * stream.nextUniform(scale.lowerBound, scale.upperBound)
      let aspect = expf(stream.nextUniform(logLower, logUpper))
      let w = (targetArea * aspect).squareRoot().roundedHalfEven
      let h = (targetArea / aspect).squareRoot().roundedHalfEven
      if w > 0 && w <= imageWidth && h > 0 && h <= imageHeight {
        let top = stream.nextInt(below: imageHeight - h + 1)
        let left = stream.nextInt(below: imageWidth - w + 1)
        return (top, left, h, w)
      }
    }
    // Fallback: center crop of the nearest allowed aspect ratio.
    let inRatio = Float(imageWidth) / Float(imageHeight)
    var w = imageWidth
    var h = imageHeight
    if inRatio < ratio.lowerBound {
      h = (Float(w) / ratio.lowerBound).roundedHalfEven
    } else if inRatio > ratio.upperBound {
      w = (Float(h) * ratio.upperBound).roundedHalfEven
    }
    return ((imageHeight - h) / 2, (imageWidth - w) / 2, h, w)
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    let box = cropBox(imageHeight: image.height, imageWidth: image.width, key: key)
    return image.bilinearResized(
      top: box.top, left: box.left, height: box.height, width: box.width, toHeight: height, width: width)
  }

  public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], height, width] }
}
