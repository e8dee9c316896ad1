import Foundation
import SiamTensor

/// A deterministic procedural dataset for fast tests and the quick start.
///
/// Sample `i` has class `i mod K` (so every prefix is class-balanced). Its image is a
/// field of stripes whose orientation is `π·k/K` (± a small jitter) with a random
/// frequency, phase and contrast, overlaid with a filled shape chosen by `k mod 4`
/// (disk, square, diamond, cross) at a random position and size, per-channel gains and
/// uniform noise (SplitMix64 seeded from the sample's key). Orientation and shape make the class learnable by a small convnet;
/// position, phase and noise make the task non-trivial. Every draw comes from
/// `RandomKey(seed:).folded(in: split).folded(in: i)`, so a sample depends only on the
/// seed, the split and its index, never on `count` or on the thread that made it.
/// Pixel values are in `[0, 1]`, stored as `.uint8`.
public enum SyntheticDataset {
  /// Makes `count` samples of one split.
  ///
  /// - Parameters:
  ///   - classes: `K`, at least 1.
  ///   - count: Number of samples, at least 1.
  ///   - channels: `C`, at least 1 (1 for grey, 3 for colour).
  ///   - size: Height and width, at least 4.
  ///   - seed: The root seed.
  ///   - split: `.train` and `.test` draw from different streams.
  /// - Returns: A dataset named `synthetic/<split>`, images `[C, size, size]`.
  /// - Throws: `DataError.invalidOption` for a parameter out of range.
  /// - Complexity: O(count · C · size²); about 1 µs a pixel in debug builds.
  public static func make(classes: Int, count: Int, channels: Int, size: Int, seed: UInt64, split: DatasetSplit)
    throws -> Dataset
  {
    guard classes >= 1 else { throw DataError(.invalidOption, "synthetic classes must be at least 1, got \(classes)") }
    guard count >= 1 else { throw DataError(.invalidOption, "synthetic count must be at least 1, got \(count)") }
    guard channels >= 1 else {
      throw DataError(.invalidOption, "synthetic channels must be at least 1, got \(channels)")
    }
    guard size >= 4 else { throw DataError(.invalidOption, "synthetic size must be at least 4, got \(size)") }
    let perImage = channels * size * size
    var pixels = [UInt8](repeating: 0, count: count * perImage)
    var labels = [Int](repeating: 0, count: count)
    let splitKey = RandomKey(seed: seed).folded(in: split.rawValue)
    pixels.withUnsafeMutableBufferPointer { buffer in
      for index in 0..<count {
        let label = index % classes
        labels[index] = label
        let target = UnsafeMutableBufferPointer(rebasing: buffer[(index * perImage)..<((index + 1) * perImage)])
        render(
          into: target, label: label, classes: classes, channels: channels, size: size,
          key: splitKey.folded(in: UInt64(index)))
      }
    }
    return Dataset(
      name: "synthetic/\(split.rawValue)", imageShape: [channels, size, size], classCount: classes,
      pixels: .uint8(pixels), labels: labels)
  }

  /// Draws one image of class `label` into `target` (`C, H, W` bytes).
  static func render(
    into target: UnsafeMutableBufferPointer<UInt8>, label: Int, classes: Int, channels: Int, size: Int, key: RandomKey
  ) {
    var random = RandomStream(key: key.folded(in: "parameters"))
    let s = Float(size)
    let angle = Float.pi * (Float(label) + 0.3 * (random.nextUnitFloat() - 0.5)) / Float(classes)
    let frequency = (2.5 + 1.5 * random.nextUnitFloat()) / s
    let phase = 2 * Float.pi * random.nextUnitFloat()
    let contrast = 0.15 + 0.15 * random.nextUnitFloat()
    let background = 0.3 + 0.2 * random.nextUnitFloat()
    let shapeLevel = min(1, background + 0.35 + 0.15 * random.nextUnitFloat())
    let centerX = s * (0.3 + 0.4 * random.nextUnitFloat())
    let centerY = s * (0.3 + 0.4 * random.nextUnitFloat())
    let radius = s * (0.15 + 0.1 * random.nextUnitFloat())
    let gains = (0..<channels).map { _ in channels == 1 ? Float(1) : 0.7 + 0.3 * random.nextUnitFloat() }
    let (cosine, sine) = (cos(angle), sin(angle))
    // Noise: SplitMix64 seeded from the image's stream, four 16-bit values a draw (one
    // Philox block per pixel would cost 10× more, which matters in debug-built tests).
    var noise = SplitMix64(state: random.next())
    var noiseBits: UInt64 = 0
    var drawn = 0
    let plane = size * size
    let omega = 2 * Float.pi * frequency

    for y in 0..<size {
      let fy = Float(y) + 0.5
      for x in 0..<size {
        let fx = Float(x) + 0.5
        var value = background + contrast * sin(omega * (fx * cosine + fy * sine) + phase)
        if isInside(shape: label % 4, dx: fx - centerX, dy: fy - centerY, radius: radius) { value = shapeLevel }
        let p = y &* size &+ x
        for c in 0..<channels {
          let n = c &* plane &+ p
          if drawn & 3 == 0 { noiseBits = noise.next() }
          let u = Float((noiseBits >> (UInt64(drawn & 3) &* 16)) & 0xffff) * (1 / 65536)
          drawn &+= 1
          let v = min(1, max(0, value * gains[c] + 0.12 * (u - 0.5)))
          target[n] = UInt8((v * 255).rounded())
        }
      }
    }
  }

  /// Whether `(dx, dy)` from the centre lies inside shape `kind` of the given radius.
  static func isInside(shape kind: Int, dx: Float, dy: Float, radius: Float) -> Bool {
    switch kind {
    case 0: return dx * dx + dy * dy <= radius * radius  // disk
    case 1: return abs(dx) <= 0.8 * radius && abs(dy) <= 0.8 * radius  // square
    case 2: return abs(dx) + abs(dy) <= radius  // diamond
    // A cross.
    default: return (abs(dx) <= 0.3 * radius && abs(dy) <= radius) || (abs(dy) <= 0.3 * radius && abs(dx) <= radius)
    }
  }
}

/// SplitMix64 (Steele et al., 2014): a tiny generator for bulk per-pixel noise, seeded
/// from a Philox draw so that it stays a pure function of (seed, split, index).
struct SplitMix64 {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
