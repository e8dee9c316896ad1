import SiamTensor

@testable import SiamData

/// Small hand-checkable images for the augmentation tests.
enum TestImages {
  /// `C × H × W` with pixel `(c, y, x) = 100c + W·y + x` (scaled by `scale`).
  static func ramp(channels: Int = 1, height: Int, width: Int, scale: Float = 1) -> Image {
    var pixels: [Float] = []
    for c in 0..<channels {
      for y in 0..<height {
        for x in 0..<width { pixels.append(scale * Float(100 * c + width * y + x)) }
      }
    }
    return Image(channels: channels, height: height, width: width, pixels: pixels)
  }

  /// Pixels uniform in `[0, 1)` from `seed`.
  static func random(channels: Int, height: Int, width: Int, seed: UInt64) -> Image {
    var stream = RandomStream(key: RandomKey(seed: seed))
    return Image(
      channels: channels, height: height, width: width,
      pixels: (0..<(channels * height * width)).map { _ in stream.nextUnitFloat() })
  }

  /// The distinct keys `RandomKey(seed).folded(in: i)` for `i` in `0..<count`.
  static func keys(_ count: Int, seed: UInt64 = 1) -> [RandomKey] {
    let root = RandomKey(seed: seed)
    return (0..<count).map { root.folded(in: UInt64($0)) }
  }
}
