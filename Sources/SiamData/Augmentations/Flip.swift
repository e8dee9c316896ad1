import SiamTensor

/// Mirrors the image left to right (torchvision's `RandomHorizontalFlip`; the probability,
/// 0.5 in every SSL recipe, is the chain entry's).
///
/// Exact (a permutation of pixels); draws nothing. Shapes: `C, H, W` → `C, H, W`.
public struct HorizontalFlip: AugmentationOp, Equatable {
  public init() {}

  public func apply(_ image: Image, key: RandomKey) -> Image {
    var output = image
    let width = image.width
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      for row in 0..<(image.channels * image.height) {
        let line = base + row &* width
        var i = 0
        var j = width - 1
        while i < j {
          swap(&line[i], &line[j])
          i += 1
          j -= 1
        }
      }
    }
    return output
  }
}

/// Mirrors the image top to bottom (torchvision's `RandomVerticalFlip`; the probability is
/// the chain entry's).
///
/// Exact; draws nothing. Shapes: `C, H, W` → `C, H, W`.
public struct VerticalFlip: AugmentationOp, Equatable {
  public init() {}

  public func apply(_ image: Image, key: RandomKey) -> Image {
    var output = image
    let (height, width) = (image.height, image.width)
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      for c in 0..<image.channels {
        let plane = base + c &* height &* width
        var i = 0
        var j = height - 1
        while i < j {
          for x in 0..<width { swap(&plane[i &* width &+ x], &plane[j &* width &+ x]) }
          i += 1
          j -= 1
        }
      }
    }
    return output
  }
}
