/// `kind: knn`: weighted k-nearest-neighbour classification on frozen features (the
/// InstDisc/DINO protocol: cosine similarity, weights `exp(s / temperature)`).
///
/// ```yaml
/// knn: {kind: knn, needs: [pretrain], k: [20, 200], temperature: 0.1}
/// ```
public struct KNNParameters: StageParameters, Hashable {
  public static let kind = "knn"
  public static let implementationVersion = 1
  public static let inputs = StageInputs.oneEncoder
  public static let documentation = "Weighted kNN accuracy on frozen features."
  public static let shape: ParameterShape = .object(
    .init([
      .init(
        "k", .alternatives([.integer(.within(1, 1_000_000)), .list(.integer(.within(1, 1_000_000)), minCount: 1)]),
        .defaultValue(200),
        "Neighbours, or a list of values each reported."),
      .init("temperature", .number(.positive), .defaultValue(0.1), "Temperature of the neighbour weights."),
    ]))

  /// The `k` values, in the order given.
  public var k: [Int]
  public var temperature: Float

  public init(resolved: ResolvedValues) {
    k = resolved.raw("k").intValue.map { [$0] } ?? resolved.ints("k")
    temperature = resolved.float("temperature")
  }
}
