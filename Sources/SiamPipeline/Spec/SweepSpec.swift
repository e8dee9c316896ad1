/// A pipeline's `sweep:` block: which key paths vary and how. Checked when the file loads
/// (every path and every value is validated as a `--set` override would be); expanded into
/// runs by `siam sweep`.
///
/// ```yaml
/// sweep:
///   grid:                                   # the cartesian product
///     stages.pretrain.method.temperature: [0.1, 0.2, 0.5]
///     seed: [1, 2]
/// # or zip: {a: [..], b: [..]}             # lists of one length, taken together
/// # or random: {samples: 8, seed: 0, parameters: {stages.pretrain.optimizer.lr: {log_uniform: [0.01, 1.0]}}}
/// ```
///
/// Distributions of `random`: `uniform: [low, high]`, `log_uniform: [low, high]` (low > 0),
/// `int_uniform: [low, high]` (integers, inclusive), `choice: [values...]`.
public struct SweepSpec: Sendable, Hashable {
  public enum Distribution: Sendable, Hashable {
    case uniform(Double, Double)
    case logUniform(Double, Double)
    case intUniform(Int, Int)
    case choice([CanonicalJSON])
  }

  public enum Strategy: Sendable, Hashable {
    /// Every combination of the values, keys in file order, the last varying fastest.
    case grid([(path: String, values: [CanonicalJSON])])
    /// The `i`-th values of every key together.
    case zip([(path: String, values: [CanonicalJSON])])
    /// `samples` independent draws.
    case random(samples: Int, seed: Int, parameters: [(path: String, distribution: Distribution)])

    public static func == (lhs: Strategy, rhs: Strategy) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    private var key: CanonicalJSON {
      switch self {
      case .grid(let axes): return ["grid": .array(axes.map { [.string($0.path), .array($0.values)] })]
      case .zip(let axes): return ["zip": .array(axes.map { [.string($0.path), .array($0.values)] })]
      case .random(let samples, let seed, let parameters):
        return [
          "random": [
            .number(samples), .number(seed), .array(parameters.map { .string("\($0.path)=\($0.distribution)") }),
          ]
        ]
      }
    }
  }

  public var strategy: Strategy

  /// Number of runs the sweep makes.
  public var pointCount: Int {
    switch strategy {
    case .grid(let axes): return axes.reduce(1) { product($0, $1.values.count) }
    case .zip(let axes): return axes.first?.values.count ?? 0
    case .random(let samples, _, _): return samples
    }
  }

  /// The override sets of a grid or zip sweep, in order (`nil` for random sweeps, which
  /// the sweep runner draws).
  public var points: [[(path: String, value: CanonicalJSON)]]? {
    switch strategy {
    case .grid(let axes):
      return axes.reduce([[]]) { partial, axis in
        partial.flatMap { point in axis.values.map { point + [(axis.path, $0)] } }
      }
    case .zip(let axes):
      guard let count = axes.first?.values.count else { return [] }
      return (0..<count).map { i in axes.map { ($0.path, $0.values[i]) } }
    case .random:
      return nil
    }
  }
}
