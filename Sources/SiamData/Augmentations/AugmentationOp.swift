import SiamTensor

/// One augmentation: a value type holding its parameters, applied to one image with an
/// explicit random key.
///
/// An op is a pure function of `(image, key)`: the same key gives the same output on any
/// thread. Whether an op fires at all is decided by the `AugmentationChain` entry that
/// holds it (torchvision's `RandomApply`, `RandomHorizontalFlip(p)`, `RandomGrayscale(p)`
/// become an op plus a chain probability), so `apply` always applies the op and draws
/// only the op's own parameters (crop box, jitter factors, blur sigma) from `key`.
///
/// Shapes: input `C, H, W`; output `C, H', W'` as given by `outputShape(for:)`.
public protocol AugmentationOp: Sendable {
  /// The augmented image.
  ///
  /// - Parameters:
  ///   - image: `C, H, W`, values nominally in `[0, 1]`.
  ///   - key: The key of this draw; ops draw their parameters from it and nothing else.
  func apply(_ image: Image, key: RandomKey) -> Image

  /// The `[C, H, W]` this op produces from an input of shape `inputShape`.
  func outputShape(for inputShape: [Int]) -> [Int]
}

extension AugmentationOp {
  /// Shape-preserving ops keep the input shape.
  public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }
}

// MARK: - Drawing helpers

extension RandomStream {
  /// A uniform float in `[lower, upper)` (`lower` when the range is empty).
  @inlinable
  mutating func nextUniform(_ lower: Float, _ upper: Float) -> Float {
    lower + (upper - lower) * nextUnitFloat()
  }
}

extension Float {
  /// Python's `round()` (round half to even), as torchvision uses for crop boxes.
  @inlinable
  var roundedHalfEven: Int { Int(self.rounded(.toNearestOrEven)) }
}
