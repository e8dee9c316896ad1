/// One image as `Float` pixels in channel-major order (`C, H, W`), values nominally in
/// `[0, 1]` before normalisation.
///
/// Augmentation ops take and return `Image`s; the loader stacks them into `N, C, H, W`
/// tensors.
public struct Image: Sendable, Equatable {
  public var channels: Int
  public var height: Int
  public var width: Int
  /// `channels · height · width` values, channel after channel, row after row.
  public var pixels: [Float]

  public init(channels: Int, height: Int, width: Int, pixels: [Float]) {
    precondition(
      channels > 0 && height > 0 && width > 0, "image extents must be positive, got \(channels)×\(height)×\(width)")
    precondition(
      pixels.count == channels * height * width,
      "image \(channels)×\(height)×\(width) needs \(channels * height * width) pixels, got \(pixels.count)")
    self.channels = channels
    self.height = height
    self.width = width
    self.pixels = pixels
  }

  /// An image with every pixel equal to `value`.
  public init(channels: Int, height: Int, width: Int, repeating value: Float = 0) {
    self.init(
      channels: channels, height: height, width: width,
      pixels: [Float](repeating: value, count: channels * height * width))
  }

  /// `[C, H, W]`.
  public var shape: [Int] { [channels, height, width] }

  /// The pixel at channel `c`, row `y`, column `x`.
  @inlinable
  public subscript(c: Int, y: Int, x: Int) -> Float {
    get { pixels[(c * height + y) * width + x] }
    set { pixels[(c * height + y) * width + x] = newValue }
  }
}
