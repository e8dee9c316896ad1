import SiamTensor

/// Random brightness, contrast, saturation and hue changes in a random order
/// (torchvision's `ColorJitter`; SimCLR wraps it in `RandomApply(p=0.8)`, which is the
/// chain entry's probability).
///
/// Factors are drawn as torchvision does: brightness, contrast and saturation factors
/// uniform in `[max(0, 1 − s), 1 + s]` for strength `s`, the hue shift uniform in
/// `[−hue, hue]` (`hue ≤ 0.5`), and the four adjustments run in a random permutation drawn
/// per sample. A strength of 0 skips its adjustment (no clamping either), as torchvision
/// does for `None`. Every adjustment clamps its result to `[0, 1]`:
/// - brightness: `x · f`;
/// - contrast: `f · x + (1 − f) · m` with `m` the mean of the image's grey levels
///   (BT.601 luma; the image itself when it has one channel);
/// - saturation: `f · x + (1 − f) · gray(x)` per pixel;
/// - hue: RGB → HSV (torchvision's `_rgb2hsv`), `h ← (h + shift) mod 1`, HSV → RGB.
///
/// On 1-channel images saturation and hue are no-ops (torchvision returns grey images
/// unchanged there); their factors are still drawn so that the draws do not depend on the
/// channel count.
///
/// Draws: a `RandomStream` over the op key: the permutation (Fisher–Yates over 4), then the
/// brightness, contrast, saturation and hue values, always all four.
/// Shapes: `C, H, W` → `C, H, W` with `C` 1 or 3.
public struct ColorJitter: AugmentationOp, Equatable {
  /// The four adjustments, in the numbering of torchvision's `fn_idx`.
  public enum Adjustment: Int, Sendable, CaseIterable {
    case brightness, contrast, saturation, hue
  }

  /// The values drawn for one sample.
  public struct Factors: Sendable, Equatable {
    /// The order in which the adjustments run.
    public var order: [Adjustment]
    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
    /// Shift of the hue, in turns.
    public var hue: Float
  }

  public var brightness: Float
  public var contrast: Float
  public var saturation: Float
  public var hue: Float

  /// - Parameters: strengths; `brightness`, `contrast`, `saturation` ≥ 0, `hue` in `[0, 0.5]`.
  public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0, hue: Float = 0) {
    precondition(
      brightness >= 0 && contrast >= 0 && saturation >= 0,
      "ColorJitter strengths must be non-negative, got \(brightness), \(contrast), \(saturation)")
    precondition(hue >= 0 && hue <= 0.5, "ColorJitter hue must lie in [0, 0.5], got \(hue)")
    self.brightness = brightness
    self.contrast = contrast
    self.saturation = saturation
    self.hue = hue
  }

  /// The order and factors drawn from `key`.
  public func factors(key: RandomKey) -> Factors {
    var stream = RandomStream(key: key)
    let order = stream.shuffled(Adjustment.allCases)
    return Factors(
      order: order,
      brightness: stream.nextUniform(max(0, 1 - brightness), 1 + brightness),
      contrast: stream.nextUniform(max(0, 1 - contrast), 1 + contrast),
      saturation: stream.nextUniform(max(0, 1 - saturation), 1 + saturation),
      hue: stream.nextUniform(-hue, hue))
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    precondition(image.channels == 1 || image.channels == 3, "ColorJitter needs 1 or 3 channels, got \(image.channels)")
    let drawn = factors(key: key)
    var output = image
    let plane = image.height * image.width
    let isColor = image.channels == 3
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      for adjustment in drawn.order {
        switch adjustment {
        case .brightness where brightness > 0:
          Self.blend(buffer, factor: drawn.brightness, constant: 0)
        case .contrast where contrast > 0:
          Self.blend(buffer, factor: drawn.contrast, constant: Self.meanGray(buffer, plane: plane, isColor: isColor))
        case .saturation where saturation > 0 && isColor:
          Self.saturate(buffer, factor: drawn.saturation, plane: plane)
        case .hue where hue > 0 && isColor:
          Self.shiftHue(buffer, by: drawn.hue, plane: plane)
        default:
          break
        }
      }
    }
    return output
  }

  // MARK: - Kernels

  /// `x ← clamp(f · x + (1 − f) · constant, 0, 1)`.
  static func blend(_ buffer: UnsafeMutableBufferPointer<Float>, factor: Float, constant: Float) {
    let offset = (1 - factor) * constant
    let base = buffer.baseAddress!
    for i in 0..<buffer.count { base[i] = min(max(factor * base[i] + offset, 0), 1) }
  }

  /// The mean grey level of the image.
  static func meanGray(_ buffer: UnsafeMutableBufferPointer<Float>, plane: Int, isColor: Bool) -> Float {
    let base = buffer.baseAddress!
    var sum: Double = 0
    if isColor {
      let g = base + plane
      let b = g + plane
      for i in 0..<plane { sum += Double(Grayscale.luma(base[i], g[i], b[i])) }
    } else {
      for i in 0..<plane { sum += Double(base[i]) }
    }
    return Float(sum / Double(plane))
  }

  /// Per pixel, `x ← clamp(f · x + (1 − f) · gray, 0, 1)` on the three channels.
  static func saturate(_ buffer: UnsafeMutableBufferPointer<Float>, factor: Float, plane: Int) {
    let r = buffer.baseAddress!
    let g = r + plane
    let b = g + plane
    let keep = 1 - factor
    for i in 0..<plane {
      let gray = keep * Grayscale.luma(r[i], g[i], b[i])
      r[i] = min(max(factor * r[i] + gray, 0), 1)
      g[i] = min(max(factor * g[i] + gray, 0), 1)
      b[i] = min(max(factor * b[i] + gray, 0), 1)
    }
  }

  /// Rotates the hue of every pixel by `shift` turns (torchvision's `adjust_hue`).
  static func shiftHue(_ buffer: UnsafeMutableBufferPointer<Float>, by shift: Float, plane: Int) {
    let r = buffer.baseAddress!
    let g = r + plane
    let b = g + plane
    for i in 0..<plane {
      let (hue, s, v) = rgbToHSV(r[i], g[i], b[i])
      var h = hue + shift  // in (−0.5, 1.5): one wrap is enough.
      if h < 0 { h += 1 } else if h >= 1 { h -= 1 }
      (r[i], g[i], b[i]) = hsvToRGB(h, s, v)
    }
  }

  /// torchvision's `_rgb2hsv`: hue in `[0, 1)`, saturation, value.
  @inlinable
  static func rgbToHSV(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
    let maxc = max(r, g, b)
    let minc = min(r, g, b)
    let chroma = maxc - minc
    if chroma == 0 { return (0, 0, maxc) }
    let s = chroma / maxc
    let rc = (maxc - r) / chroma
    let gc = (maxc - g) / chroma
    let bc = (maxc - b) / chroma
    let h: Float
    if maxc == r {
      h = bc - gc
    } else if maxc == g {
      h = 2 + rc - bc
    } else {
      h = 4 + gc - rc
    }
    // torchvision's fmod(h / 6 + 1, 1); h / 6 is in [−1/6, 5/6).
    let turns = h / 6
    return (turns < 0 ? turns + 1 : turns, s, maxc)
  }

  /// torchvision's `_hsv2rgb` for `h` in `[0, 1)`, written in the closed form
  /// `channel(n) = v − v·s·clamp(min(k, 4 − k), 0, 1)`, `k = (n + 6h) mod 6`, `n` = 5, 3, 1
  /// for red, green, blue (the same values as the sector table; no branches, no libm).
  @inlinable
  static func hsvToRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
    let h6 = h * 6
    let vs = v * s
    @inline(__always) func channel(_ n: Float) -> Float {
      var k = n + h6
      if k >= 6 { k -= 6 }
      return min(max(v - vs * min(max(min(k, 4 - k), 0), 1), 0), 1)
    }
    return (channel(5), channel(3), channel(1))
  }
}
