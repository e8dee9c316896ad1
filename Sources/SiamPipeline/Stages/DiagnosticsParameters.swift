/// `kind: diagnostics`: representation health of an encoder's features: alignment and
/// uniformity (Wang & Isola), effective rank, per-dimension standard deviation (collapse).
///
/// ```yaml
/// health: {kind: diagnostics, needs: [pretrain], metrics: [effective_rank, feature_std]}
/// ```
public struct DiagnosticsParameters: StageParameters, Hashable {
  public static let kind = "diagnostics"
  /// 2: eigenvalues by LAPACK's `dsyevd` (the last bits of `effective_rank` changed).
  public static let implementationVersion = 2
  public static let inputs = StageInputs(kinds: ["pretrain", "supervised", "finetune", "random_encoder"], count: 1...1)
  public static let documentation = "Representation diagnostics (alignment, uniformity, effective rank, feature std)."
  public static let metricNames = ["alignment", "uniformity", "effective_rank", "feature_std"]
  public static let shape: ParameterShape = .object(
    .init([
      .init(
        "metrics", .list(.enumeration(metricNames), minCount: 1),
        .defaultValue(.array(metricNames.map { .string($0) })),
        "Which diagnostics to compute."),
      .init("samples", .integer(.within(2, 10_000_000)), .defaultValue(2048), "Test images used."),
      EvaluationFields.augmentation,
    ]))

  public var metrics: [String]
  public var samples: Int
  /// The chain making the positive pairs for alignment (the identity when nil).
  public var augmentation: AugmentationChainSpec?

  public init(resolved: ResolvedValues) {
    metrics = resolved.strings("metrics")
    samples = resolved.int("samples")
    let chain = resolved.raw("augmentation")
    augmentation = chain.isNull ? nil : AugmentationChainSpec(resolved: chain)
  }
}
