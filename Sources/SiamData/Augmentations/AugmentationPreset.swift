/// The augmentation recipes of the papers, as chains.
///
/// Every preset starts with a `RandomResizedCrop` to `size` and keeps the paper's op
/// order and probabilities; `strength` multiplies the colour-jitter strengths (SimCLR's
/// `s`; 1 reproduces each paper). Adjustments for small images, documented once here:
/// - Blur uses `GaussianBlur(kernelSize: .fractionOfSide(0.1), sigma: 0.1...2)`, which is
///   3 taps on 28 and 32 px images (SimCLR's "10 % of the side" made odd; SimCLR itself
///   dropped the blur on CIFAR, the presets keep it with the paper's probabilities).
/// - On 1-channel images grayscale is left out (it would be the identity) and the jitter
///   keeps only brightness and contrast (saturation and hue have no effect on grey).
///   Entry indices, and so the keys of later entries, differ from the colour chain.
///
/// | preset | crop scale | jitter (b, c, s, h), p | gray p | blur p | solarize p | flip p |
/// | --- | --- | --- | --- | --- | --- | --- |
/// | `simclr` | 0.08–1 | 0.8s, 0.8s, 0.8s, 0.2s; 0.8 | 0.2 | 0.5 | – | 0.5 |
/// | `moco_v2` | 0.2–1 | 0.4, 0.4, 0.4, 0.1; 0.8 | 0.2 | 0.5 | – | 0.5 |
/// | `byol_view1` | 0.08–1 | 0.4, 0.4, 0.2, 0.1; 0.8 | 0.2 | 1.0 | 0.0 | 0.5 |
/// | `byol_view2` | 0.08–1 | 0.4, 0.4, 0.2, 0.1; 0.8 | 0.2 | 0.1 | 0.2 | 0.5 |
public enum AugmentationPreset: String, Sendable, CaseIterable {
  case simclr
  case mocoV2 = "moco_v2"
  case byolView1 = "byol_view1"
  case byolView2 = "byol_view2"

  /// The chain of this preset.
  ///
  /// - Parameters:
  ///   - size: Side of the square output.
  ///   - strength: Multiplier of the colour-jitter strengths (hue is capped at 0.5).
  ///   - channels: Channels of the input images (1 or 3).
  ///   - scale: Crop area range overriding the preset's (multi-crop uses this).
  ///   - normalize: Appended last with probability 1 when given.
  public func makeChain(
    size: Int, strength: Float = 1, channels: Int, scale: ClosedRange<Float>? = nil, normalize: Normalize? = nil
  ) -> AugmentationChain {
    precondition(channels == 1 || channels == 3, "presets need 1 or 3 channels, got \(channels)")
    precondition(strength >= 0, "jitter strength must be non-negative, got \(strength)")
    let isColor = channels == 3
    func jitter(_ b: Float, _ c: Float, _ s: Float, _ h: Float) -> ColorJitter {
      ColorJitter(
        brightness: b * strength, contrast: c * strength,
        saturation: isColor ? s * strength : 0, hue: isColor ? min(0.5, h * strength) : 0)
    }
    let blur = GaussianBlur(kernelSize: .fractionOfSide(0.1), sigma: 0.1...2)
    var chain = AugmentationChain()
    func add(_ op: any AugmentationOp, _ p: Float) { chain = chain.appending(op, probability: p) }
    switch self {
    case .simclr:
      add(RandomResizedCrop(size: size, scale: scale ?? 0.08...1), 1)
      add(HorizontalFlip(), 0.5)
      add(jitter(0.8, 0.8, 0.8, 0.2), 0.8)
      if isColor { add(Grayscale(), 0.2) }
      add(blur, 0.5)
    case .mocoV2:
      add(RandomResizedCrop(size: size, scale: scale ?? 0.2...1), 1)
      add(jitter(0.4, 0.4, 0.4, 0.1), 0.8)
      if isColor { add(Grayscale(), 0.2) }
      add(blur, 0.5)
      add(HorizontalFlip(), 0.5)
    case .byolView1, .byolView2:
      let isFirst = self == .byolView1
      add(RandomResizedCrop(size: size, scale: scale ?? 0.08...1), 1)
      add(HorizontalFlip(), 0.5)
      add(jitter(0.4, 0.4, 0.2, 0.1), 0.8)
      if isColor { add(Grayscale(), 0.2) }
      add(blur, isFirst ? 1.0 : 0.1)
      add(Solarize(threshold: 0.5), isFirst ? 0.0 : 0.2)
    }
    if let normalize { add(normalize, 1) }
    return chain
  }

  /// The chain of the preset named `name` (`simclr`, `moco_v2`, `byol_view1`,
  /// `byol_view2`), or `nil` for an unknown name.
  public static func make(
    _ name: String, size: Int, strength: Float = 1, channels: Int, normalize: Normalize? = nil
  ) -> AugmentationChain? {
    AugmentationPreset(rawValue: name)?.makeChain(
      size: size, strength: strength, channels: channels, normalize: normalize)
  }

  /// Multi-crop views (SwAV, DINO): `globalCount` views of side `globalSize` with crop
  /// area in `globalScale`, then `localCount` views of side `localSize` with area in
  /// `localScale`, each with this preset's other ops; e.g. 2 × 28 + 4 × 14 on MNIST-sized
  /// images. The loader yields one tensor per view, each of its own size.
  public func makeMultiCrop(
    globalSize: Int, globalCount: Int = 2, globalScale: ClosedRange<Float> = 0.14...1,
    localSize: Int, localCount: Int, localScale: ClosedRange<Float> = 0.05...0.14,
    strength: Float = 1, channels: Int, normalize: Normalize? = nil
  ) -> [AugmentationChain] {
    let global = makeChain(
      size: globalSize, strength: strength, channels: channels, scale: globalScale, normalize: normalize)
    let local = makeChain(
      size: localSize, strength: strength, channels: channels, scale: localScale, normalize: normalize)
    return Array(repeating: global, count: globalCount) + Array(repeating: local, count: localCount)
  }
}
