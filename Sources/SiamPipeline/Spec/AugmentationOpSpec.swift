import SiamData

/// One op of an augmentation chain: its name (as in the file), resolved parameters and the
/// probability `p` that it fires.
///
/// | op | parameters (defaults) |
/// | --- | --- |
/// | `random_resized_crop` | `size` (required), `scale` [0.08, 1], `ratio` [0.75, 1.3333] |
/// | `random_crop` | `size` (required), `padding` 0 |
/// | `center_crop` | `size` (required) |
/// | `resize` | `size`: shorter side, or `[height, width]` (required) |
/// | `horizontal_flip`, `vertical_flip`, `grayscale` | none |
/// | `color_jitter` | `brightness`, `contrast`, `saturation` 0 (≥ 0), `hue` 0 (in [0, 0.5]) |
/// | `gaussian_blur` | `sigma` [0.1, 2], `kernel_size` (odd) or `kernel_fraction` (0.1 when neither) |
/// | `solarize` | `threshold` 0.5 |
/// | `normalize` | `mean`, `std` (required; one value or one a channel) |
///
/// Every op also takes `p` in [0, 1], default 1.
public struct AugmentationOpSpec: Sendable, Hashable {
  public var name: String
  /// Resolved parameters without `p`.
  public var parameters: ResolvedValues
  public var probability: Float

  init(resolved: CanonicalJSON) {
    guard case .object(let members) = resolved, members.count == 1, let (name, body) = members.first else {
      preconditionFailure("not a resolved op: \(resolved)")
    }
    var values = ResolvedValues(body).members
    self.name = name
    self.probability = Float(values.removeValue(forKey: "p")!.doubleValue!)
    self.parameters = ResolvedValues(values)
  }

  private static func op(
    _ name: String, _ fields: [ParameterShape.Field], _ doc: String,
    check: (@Sendable ([String: CanonicalJSON]) -> [ParameterShape.Problem])? = nil
  ) -> ParameterShape.Variant {
    let p = ParameterShape.Field("p", .number(.unit), .defaultValue(1), "Probability that the op fires.")
    return .init(name, .init(fields + [p], check: check), doc)
  }

  private static let size = ParameterShape.Field(
    "size", .integer(.within(1, 4096)), .required, "Side of the square output.")

  /// The ops a chain may name, with their parameters.
  static let variants: [ParameterShape.Variant] = [
    op(
      "random_resized_crop",
      [
        size,
        .init(
          "scale", .range(.cropScale), .defaultValue([0.08, 1]), "Crop area as a fraction of the image, in (0, 1]."),
        .init(
          "ratio", .range(.positive), .defaultValue([.number(3.0 / 4), .number(4.0 / 3)]),
          "Aspect ratio range (width / height)."),
      ], "Random crop of random area and aspect ratio, resized to size (torchvision's RandomResizedCrop)."),
    op(
      "random_crop",
      [
        size,
        .init("padding", .integer(.within(0, 4096)), .defaultValue(0), "Zero padding on every side before cropping."),
      ], "Random size × size window of the zero-padded image."),
    op("center_crop", [size], "The central size × size window."),
    op(
      "resize",
      [
        .init(
          "size",
          .alternatives([.integer(.within(1, 4096)), .list(.integer(.within(1, 4096)), minCount: 2, maxCount: 2)]),
          .required, "Shorter side, or [height, width].")
      ], "Bilinear resize."),
    op("horizontal_flip", [], "Mirror left to right."),
    op("vertical_flip", [], "Mirror top to bottom."),
    op("grayscale", [], "Convert to grey (BT.601 luma), keeping the channel count."),
    op(
      "color_jitter",
      [
        .init("brightness", .number(.nonNegative), .defaultValue(0), "Brightness strength."),
        .init("contrast", .number(.nonNegative), .defaultValue(0), "Contrast strength."),
        .init("saturation", .number(.nonNegative), .defaultValue(0), "Saturation strength."),
        .init("hue", .number(.init(minimum: 0, maximum: 0.5)), .defaultValue(0), "Hue shift bound, in turns."),
      ], "Random brightness, contrast, saturation and hue in random order."),
    op(
      "gaussian_blur",
      [
        .init("sigma", .range(.positive), .defaultValue([0.1, 2]), "Standard deviation range in pixels."),
        .init("kernel_size", .nullable(.integer(.within(1, 255))), .optional, "Odd number of taps."),
        .init(
          "kernel_fraction", .nullable(.number(.positive)), .optional,
          "Taps as a fraction of the shorter side (0.1 when neither is given)."),
      ], "Gaussian blur of random width.",
      check: { v in
        var problems: [ParameterShape.Problem] = []
        if let k = v["kernel_size"]?.intValue, k % 2 == 0 {
          problems.append(.init(key: "kernel_size", "expected an odd number of taps, found \(k)"))
        }
        if v["kernel_size"] != .null, v["kernel_fraction"] != .null {
          problems.append(.init(key: "kernel_fraction", "give either kernel_size or kernel_fraction, not both"))
        }
        return problems
      }),
    op(
      "solarize",
      [
        .init("threshold", .number(.unit), .defaultValue(0.5), "Pixels at or above it are inverted.")
      ], "Invert pixels at or above the threshold."),
    op(
      "normalize",
      [
        .init("mean", .list(.number(), minCount: 1), .required, "One value a channel, or one for all."),
        .init(
          "std", .list(.number(.positive), minCount: 1), .required, "One positive value a channel, or one for all."),
      ], "(x − mean) / std per channel."),
  ]

  /// The `SiamData` op.
  public func makeOp() -> any AugmentationOp {
    let r = parameters
    switch name {
    case "random_resized_crop":
      return RandomResizedCrop(size: r.int("size"), scale: r.range("scale"), ratio: r.range("ratio"))
    case "random_crop": return RandomCrop(size: r.int("size"), padding: r.int("padding"))
    case "center_crop": return CenterCrop(size: r.int("size"))
    case "resize":
      if let side = r.raw("size").intValue { return Resize(.shorterSide(side)) }
      let hw = r.ints("size")
      return Resize(height: hw[0], width: hw[1])
    case "horizontal_flip": return HorizontalFlip()
    case "vertical_flip": return VerticalFlip()
    case "grayscale": return Grayscale()
    case "color_jitter":
      return ColorJitter(
        brightness: r.float("brightness"), contrast: r.float("contrast"),
        saturation: r.float("saturation"), hue: r.float("hue"))
    case "gaussian_blur":
      let kernel: GaussianBlur.KernelSize =
        r.optionalInt("kernel_size").map { .fixed($0) }
        ?? .fractionOfSide(r.optionalFloat("kernel_fraction") ?? 0.1)
      return GaussianBlur(kernelSize: kernel, sigma: r.range("sigma"))
    case "solarize": return Solarize(threshold: r.float("threshold"))
    case "normalize": return Normalize(mean: r.floats("mean"), std: r.floats("std"))
    default: preconditionFailure("unknown augmentation op '\(name)'")
    }
  }
}
