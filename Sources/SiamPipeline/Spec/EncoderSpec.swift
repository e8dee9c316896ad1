import SiamNN

/// Encoder definitions of a pipeline file, mapped onto `SiamNN.EncoderConfiguration`.
///
/// ```yaml
/// encoders:
///   small: {type: convnet, widths: [32, 64, 128], strides: [1, 2, 2]}
///   mlp:   {type: mlp, widths: [512, 256], batch_norm: true}
///   r18:   {type: resnet18, stem: cifar}      # or resnet34; stem cifar | imagenet
/// ```
///
/// A stage's `encoder:` is the name of a definition or an inline definition; absent, it is
/// the default ConvNet (`{type: convnet}`).
public enum EncoderSpec {
  /// The shape of an encoder definition.
  static let definitionShape: ParameterShape = .named(
    "encoder",
    .union(
      .init([
        .init(
          "convnet",
          .init(
            [
              .init(
                "widths", .list(.integer(.within(1, 16_384)), minCount: 1, maxCount: 64),
                .defaultValue(.array(ConvNet.defaultWidths.map { .number($0) })),
                "Output channels of each stage (the last is the feature width D)."),
              .init(
                "strides", .list(.integer(.within(1, 64)), minCount: 1, maxCount: 64),
                .defaultValue(.array(ConvNet.defaultStrides.map { .number($0) })),
                "Stride of each stage; as many as widths."),
              .init(
                "pool", .integer(.within(1, 64)), .defaultValue(.number(ConvNet.defaultPool)),
                "Side of the average-pooling grid over the last feature map: 1 is a global average (D = the last width), g averages g×g regions and concatenates them (D = last width × g²)."
              ),
            ],
            check: { v in
              let widths = v["widths"]?.arrayValue?.count ?? 0
              let strides = v["strides"]?.arrayValue?.count ?? 0
              return widths == strides
                ? [] : [.init(key: "strides", "expected as many strides as widths (\(widths)), found \(strides)")]
            }), "The small ConvNet (conv, BatchNorm, ReLU per stage; average pool over a pool×pool grid)."),
        .init(
          "mlp",
          .init([
            .init(
              "widths", .list(.integer(.within(1, 65_536)), minCount: 1, maxCount: 64), .required,
              "Hidden widths; the last is D."),
            .init("batch_norm", .boolean, .defaultValue(false), "BatchNorm after each hidden Linear."),
          ]), "A multilayer perceptron over flattened images."),
        .init("resnet18", .init([stem]), "ResNet-18."),
        .init("resnet34", .init([stem]), "ResNet-34."),
      ])))

  private static let stem = ParameterShape.Field(
    "stem", .enumeration(["cifar", "imagenet"]), .defaultValue("cifar"),
    "cifar: 3×3 stride-1 stem without max pool (≤ 32 px); imagenet: 7×7 stride-2 stem with max pool.")

  /// A stage's `encoder:` field: a definition's name or an inline definition.
  static let referenceShape: ParameterShape = .alternatives([.reference(.encoder), definitionShape])

  /// The resolved default encoder, `{type: convnet}`.
  static let defaultEncoder: CanonicalJSON = [
    "type": "convnet",
    "widths": .array(ConvNet.defaultWidths.map { .number($0) }),
    "strides": .array(ConvNet.defaultStrides.map { .number($0) }),
    "pool": .number(ConvNet.defaultPool),
  ]

  /// The configuration a resolved definition describes.
  public static func configuration(resolved: CanonicalJSON) -> EncoderConfiguration {
    let r = ResolvedValues(resolved)
    switch r.string("type") {
    case "convnet": return .convnet(widths: r.ints("widths"), strides: r.ints("strides"), pool: r.int("pool"))
    case "mlp": return .mlp(widths: r.ints("widths"), hasBatchNorm: r.bool("batch_norm"))
    case "resnet18": return .resnet18(stem: ResNet.Stem(rawValue: r.string("stem"))!)
    case "resnet34": return .resnet34(stem: ResNet.Stem(rawValue: r.string("stem"))!)
    default: preconditionFailure("unknown encoder type in \(resolved)")
    }
  }
}
