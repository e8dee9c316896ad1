import Foundation
import SiamTensor

extension SweepSpec.Distribution {
  /// One draw of point `point` for the key `path` of a random sweep seeded with `seed`.
  ///
  /// A pure function of (seed, point, path) through the engine's counter-based Philox
  /// generator: the same file gives the same points on every machine, and removing one
  /// parameter (overriding it on the command line) leaves the others' draws unchanged.
  ///
  /// - `uniform: [low, high]`: low + u (high − low), u uniform in [0, 1) with 53 bits;
  /// - `log_uniform: [low, high]`: exp(log low + u (log high − log low));
  /// - `int_uniform: [low, high]`: an integer in low...high, each equally likely;
  /// - `choice: [values]`: one of the values, each equally likely.
  public func draw(seed: Int, point: Int, path: String) -> CanonicalJSON {
    let key = RandomKey(seed: UInt64(truncatingIfNeeded: seed)).folded(in: "sweep").folded(in: UInt64(point)).folded(
      in: path)
    var stream = RandomStream(key: key)
    let u = Double(stream.next() >> 11) * 0x1p-53
    switch self {
    case .uniform(let low, let high):
      return .number(min(high, low + u * (high - low)))
    case .logUniform(let low, let high):
      return .number(min(high, max(low, exp(log(low) + u * (log(high) - log(low))))))
    case .intUniform(let low, let high):
      return .number(low + stream.nextInt(below: high - low + 1))
    case .choice(let values):
      return values[stream.nextInt(below: values.count)]
    }
  }

  /// `uniform(0.1, 1)`, `choice(a, b)`, ...: how `siam sweep --dry-run` shows it.
  public var summary: String {
    switch self {
    case .uniform(let low, let high): "uniform(\(CanonicalJSON.format(low)), \(CanonicalJSON.format(high)))"
    case .logUniform(let low, let high): "log_uniform(\(CanonicalJSON.format(low)), \(CanonicalJSON.format(high)))"
    case .intUniform(let low, let high): "int_uniform(\(low), \(high))"
    case .choice(let values): "choice(\(values.map(\.canonicalString).joined(separator: ", ")))"
    }
  }
}
