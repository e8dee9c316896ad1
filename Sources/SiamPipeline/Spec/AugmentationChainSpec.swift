import SiamData

/// A named augmentation chain of a pipeline file: a list of ops, or a paper preset.
///
/// ```yaml
/// augmentations:
///   view:                       # ops in order; every op takes p (default 1)
///     - random_resized_crop: {size: 28, scale: [0.2, 1.0]}
///     - horizontal_flip: {p: 0.5}
///     - grayscale               # an op with all parameters defaulted
///   paper: {preset: simclr, size: 28, strength: 1.0}
/// ```
///
/// Op names and parameters are those of `SiamData`'s ops (see `AugmentationOpSpec`).
public enum AugmentationChainSpec: Sendable, Hashable {
  /// Ops applied in order.
  case ops([AugmentationOpSpec])
  /// A preset of `AugmentationPreset`, its crop scale optionally overridden.
  case preset(AugmentationPreset, size: Int, strength: Float, scale: ClosedRange<Float>?)

  /// The shape of a chain in a file.
  static let shape: ParameterShape = .named(
    "augmentation_chain",
    .alternatives([
      .list(.named("augmentation_op", .singleKey(AugmentationOpSpec.variants))),
      .object(presetShape),
    ]))

  static let presetShape = ParameterShape.ObjectShape([
    .init(
      "preset", .enumeration(AugmentationPreset.allCases.map(\.rawValue)), .required,
      "A paper's recipe: simclr, moco_v2, byol_view1 or byol_view2."),
    .init("size", .integer(.within(1, 4096)), .required, "Side of the square output."),
    .init(
      "strength", .number(.nonNegative), .defaultValue(1), "Multiplier of the colour-jitter strengths (SimCLR's s)."),
    .init(
      "scale", .nullable(.range(.cropScale)), .optional,
      "Crop area range overriding the preset's, fractions in (0, 1]."),
  ])

  /// The chain from its resolved value (`ShapeDecoder` output for `shape`).
  public init(resolved: CanonicalJSON) {
    switch resolved {
    case .array(let items):
      self = .ops(items.map(AugmentationOpSpec.init(resolved:)))
    case .object:
      let r = ResolvedValues(resolved)
      self = .preset(
        AugmentationPreset(rawValue: r.string("preset"))!, size: r.int("size"),
        strength: r.float("strength"), scale: r.optionalRange("scale"))
    default:
      preconditionFailure("not a resolved augmentation chain: \(resolved)")
    }
  }

  /// The `SiamData` chain for images with `channels` channels (1 or 3).
  public func makeChain(channels: Int) -> AugmentationChain {
    switch self {
    case .ops(let ops):
      return AugmentationChain(ops.map { AugmentationChain.Entry($0.makeOp(), probability: $0.probability) })
    case .preset(let preset, let size, let strength, let scale):
      return preset.makeChain(size: size, strength: strength, channels: channels, scale: scale)
    }
  }
}

extension ParameterShape.Bounds {
  /// `(0, 1]`: crop area fractions.
  static let cropScale = ParameterShape.Bounds(exclusiveMinimum: 0, maximum: 1)
}
