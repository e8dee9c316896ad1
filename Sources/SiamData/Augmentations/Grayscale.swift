import SiamTensor

/// Converts a colour image to grey and keeps its channel count (torchvision's
/// `RandomGrayscale`; the probability is the chain entry's).
///
/// Luma uses the ITU-R BT.601 weights `0.299 R + 0.587 G + 0.114 B` (torchvision writes
/// 0.2989 for red; the difference is below 1e-4 of a unit pixel). A 3-channel image
/// becomes three equal channels; a 1-channel image is returned unchanged. Draws nothing.
///
/// Shapes: `C, H, W` → `C, H, W` with `C` 1 or 3.
public struct Grayscale: AugmentationOp, Equatable {
  /// ITU-R BT.601 luma weights of red, green and blue.
  public static let weights: (red: Float, green: Float, blue: Float) = (0.299, 0.587, 0.114)

  public init() {}

  public func apply(_ image: Image, key: RandomKey) -> Image {
    precondition(image.channels == 1 || image.channels == 3, "Grayscale needs 1 or 3 channels, got \(image.channels)")
    guard image.channels == 3 else { return image }
    var output = image
    let plane = image.height * image.width
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      let r = buffer.baseAddress!
      let g = r + plane
      let b = g + plane
      for i in 0..<plane {
        let luma = Self.luma(r[i], g[i], b[i])
        r[i] = luma
        g[i] = luma
        b[i] = luma
      }
    }
    return output
  }

  /// `0.299 r + 0.587 g + 0.114 b`.
  @inlinable
  static func luma(_ r: Float, _ g: Float, _ b: Float) -> Float {
    weights.red * r + weights.green * g + weights.blue * b
  }
}
