import SiamTensor

/// A random fixed-size crop of the image surrounded by zero padding (torchvision's
/// `RandomCrop(size, padding)`, the CIFAR recipe `RandomCrop(32, padding: 4)`).
///
/// The image is padded with `padding` zeros on every side, then a `height × width` window
/// is placed at `top ~ U{0 … H + 2p − height}`, `left ~ U{0 … W + 2p − width}`
/// (torchvision's `get_params`). Draws: two integers from the op key's stream.
/// Shapes: `C, H, W` → `C, height, width`, with `height ≤ H + 2p`, `width ≤ W + 2p`.
public struct RandomCrop: AugmentationOp, Equatable {
  public var height: Int
  public var width: Int
  public var padding: Int

  public init(height: Int, width: Int, padding: Int = 0) {
    precondition(height > 0 && width > 0, "RandomCrop size must be positive, got \(height)×\(width)")
    precondition(padding >= 0, "RandomCrop padding must be non-negative, got \(padding)")
    self.height = height
    self.width = width
    self.padding = padding
  }

  /// A square crop of side `size`.
  public init(size: Int, padding: Int = 0) {
    self.init(height: size, width: size, padding: padding)
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    let paddedHeight = image.height + 2 * padding
    let paddedWidth = image.width + 2 * padding
    precondition(
      height <= paddedHeight && width <= paddedWidth,
      "RandomCrop \(height)×\(width) larger than padded image \(paddedHeight)×\(paddedWidth)")
    var stream = RandomStream(key: key)
    let top = stream.nextInt(below: paddedHeight - height + 1)
    let left = stream.nextInt(below: paddedWidth - width + 1)
    return image.cropped(top: top - padding, left: left - padding, height: height, width: width)
  }

  public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], height, width] }
}

/// The central `height × width` window (torchvision's `CenterCrop`).
///
/// The window starts at `round((H − height) / 2)`, `round((W − width) / 2)` (Python
/// rounding, half to even, as torchvision). A window larger than the image is filled with
/// zeros around it (torchvision pads `⌊(height − H)/2⌋` above and the rest below). Draws
/// nothing. Shapes: `C, H, W` → `C, height, width`.
public struct CenterCrop: AugmentationOp, Equatable {
  public var height: Int
  public var width: Int

  public init(height: Int, width: Int) {
    precondition(height > 0 && width > 0, "CenterCrop size must be positive, got \(height)×\(width)")
    self.height = height
    self.width = width
  }

  /// A square crop of side `size`.
  public init(size: Int) {
    self.init(height: size, width: size)
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    image.cropped(
      top: Self.start(image.height, height), left: Self.start(image.width, width), height: height, width: width)
  }

  /// Offset of the window in an axis of `extent` pixels.
  static func start(_ extent: Int, _ size: Int) -> Int {
    if size <= extent { return (Float(extent - size) / 2).roundedHalfEven }
    return -((size - extent) / 2)
  }

  public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape[0], height, width] }
}

/// Bilinear resize of the whole image (torchvision's `Resize` with bilinear interpolation
/// and `antialias=False`, PyTorch's `align_corners=False` convention).
///
/// `.exact(height, width)` gives that size; `.shorterSide(s)` scales the shorter side to
/// `s` and the longer one to `⌊s · long / short⌋` (torchvision's `Resize(int)`). Draws
/// nothing. Shapes: `C, H, W` → `C, H', W'`.
public struct Resize: AugmentationOp, Equatable {
  public enum Size: Sendable, Equatable {
    case exact(height: Int, width: Int)
    case shorterSide(Int)
  }

  public var size: Size

  public init(_ size: Size) {
    switch size {
    case .exact(let h, let w): precondition(h > 0 && w > 0, "Resize size must be positive, got \(h)×\(w)")
    case .shorterSide(let s): precondition(s > 0, "Resize side must be positive, got \(s)")
    }
    self.size = size
  }

  /// An exact `height × width` resize.
  public init(height: Int, width: Int) {
    self.init(.exact(height: height, width: width))
  }

  /// The output `(height, width)` for an input of `height × width`.
  public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
    switch size {
    case .exact(let h, let w): return (h, w)
    case .shorterSide(let side):
      if height <= width { return (side, side * width / height) }
      return (side * height / width, side)
    }
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    let out = outputSize(height: image.height, width: image.width)
    return image.bilinearResized(
      top: 0, left: 0, height: image.height, width: image.width, toHeight: out.height, width: out.width)
  }

  public func outputShape(for inputShape: [Int]) -> [Int] {
    let out = outputSize(height: inputShape[1], width: inputShape[2])
    return [inputShape[0], out.height, out.width]
  }
}
