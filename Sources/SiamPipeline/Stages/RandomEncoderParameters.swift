import SiamNN

/// `kind: random_encoder`: the random-init baseline, the encoder left at its
/// initialisation (no training), probed like a pretrained one. It tells how much of an
/// evaluation's accuracy the architecture gives before any learning.
///
/// ```yaml
/// random_init: {kind: random_encoder, needs: [data], encoder: small}
/// random_linear: {kind: linear_probe, needs: [random_init]}
/// ```
public struct RandomEncoderParameters: StageParameters, Hashable {
  public static let kind = "random_encoder"
  public static let implementationVersion = 1
  public static let inputs = StageInputs(kinds: ["dataset"], count: 1...1)
  public static let documentation = "The encoder at its random initialisation (the random-init baseline)."
  public static let shape: ParameterShape = .object(
    .init([
      .init(
        "encoder", EncoderSpec.referenceShape, .defaultValue(EncoderSpec.defaultEncoder),
        "Name of an encoder under encoders:, or an inline encoder; default the small ConvNet.")
    ]))

  public var encoder: EncoderConfiguration

  public init(resolved: ResolvedValues) {
    encoder = EncoderSpec.configuration(resolved: resolved.raw("encoder"))
  }
}
