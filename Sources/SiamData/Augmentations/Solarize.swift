import SiamTensor

/// Inverts the pixels at or above a threshold: `x ≥ threshold → 1 − x` (torchvision's
/// `RandomSolarize` on float images; BYOL uses threshold 0.5 with probability 0 and 0.2 on
/// its two views, which is the chain entry's).
///
/// Per channel value, no clamping; draws nothing. Shapes: `C, H, W` → `C, H, W`.
public struct Solarize: AugmentationOp, Equatable {
  public var threshold: Float

  public init(threshold: Float = 0.5) {
    self.threshold = threshold
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    var output = image
    let threshold = self.threshold
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      for i in 0..<buffer.count where base[i] >= threshold { base[i] = 1 - base[i] }
    }
    return output
  }
}
