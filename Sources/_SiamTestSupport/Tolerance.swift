import SiamTensor
import Testing

/// Whether `actual` is within `absolute + relative·|expected|` of `expected`
/// (NumPy's `isclose` rule; NaN is never close).
public func isClose(_ actual: Double, _ expected: Double, absolute: Double, relative: Double) -> Bool {
  abs(actual - expected) <= absolute + relative * abs(expected)
}

/// Records one issue, at the caller's location, if `actual` and `expected` differ in shape
/// or any element fails `isClose` with the given tolerances. Reports the worst element.
public func expectClose(
  _ actual: Tensor, _ expected: Tensor, absolute: Double = 1e-5, relative: Double = 1e-5,
  _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.shape == expected.shape else {
    Issue.record("shape \(actual.shape) ≠ expected \(expected.shape) \(comment)", sourceLocation: sourceLocation)
    return
  }
  expectClose(
    actual.scalars.map(Double.init), expected.scalars.map(Double.init),
    absolute: absolute, relative: relative, comment, sourceLocation: sourceLocation)
}

/// Element-wise `isClose` over two arrays; one issue naming the worst element.
public func expectClose(
  _ actual: [Double], _ expected: [Double], absolute: Double = 1e-5, relative: Double = 1e-5,
  _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
  guard actual.count == expected.count else {
    Issue.record("\(actual.count) values ≠ expected \(expected.count) \(comment)", sourceLocation: sourceLocation)
    return
  }
  var worst: (index: Int, excess: Double)? = nil
  for i in actual.indices where !isClose(actual[i], expected[i], absolute: absolute, relative: relative) {
    let excess = abs(actual[i] - expected[i]) - (absolute + relative * abs(expected[i]))
    if worst == nil || !(excess <= worst!.excess) { worst = (i, excess) }
  }
  if let worst {
    Issue.record(
      "element \(worst.index): \(actual[worst.index]) vs expected \(expected[worst.index]) (abs \(absolute), rel \(relative)) \(comment)",
      sourceLocation: sourceLocation)
  }
}

/// A reproducible tensor with elements uniform in `[lower, upper)`; with `awayFromZero`
/// each element's magnitude is at least `margin` (for checks near kinks such as relu).
public func makeTestTensor(
  _ shape: [Int], seed: UInt64, lower: Float = -1, upper: Float = 1,
  awayFromZero margin: Float = 0
) -> Tensor {
  var t = Tensor.randomUniform(shape: shape, lower: lower, upper: upper, key: RandomKey(seed: seed))
  if margin > 0 {
    t.withUnsafeMutableBufferPointer { p in
      for i in p.indices where abs(p[i]) < margin { p[i] = p[i] < 0 ? p[i] - margin : p[i] + margin }
    }
  }
  return t
}
