import Foundation

/// A map from data values to pixel positions along one axis, linear or logarithmic
/// (base 10), with "nice" tick values and their labels.
///
/// Linear ticks follow Heckbert's nice numbers: the step is 1, 2 or 5 times a power of
/// ten such that about `tickCount` ticks cover the domain, and the domain is widened to
/// whole steps (`nicened()`). Log ticks are the powers of ten in the domain, with 2× and
/// 5× multiples added when it spans fewer than three decades.
public struct AxisScale: Sendable, Hashable {
  /// How values map to positions.
  public enum Kind: String, Sendable, Hashable {
    case linear, log
  }

  public var kind: Kind
  /// Data values at the two ends (`lower < upper`; both positive for `.log`).
  public var lower: Double
  public var upper: Double
  /// Pixel positions of `lower` and `upper` (may be decreasing: SVG's y grows down).
  public var start: Double
  public var end: Double

  /// A scale over `[lower, upper]`; an empty or inverted domain is widened around it.
  ///
  /// - Precondition: For `.log`, `lower > 0`.
  public init(kind: Kind = .linear, lower: Double, upper: Double, start: Double, end: Double) {
    precondition(lower.isFinite && upper.isFinite, "axis domain must be finite, got \(lower)...\(upper)")
    precondition(kind == .linear || lower > 0, "a log axis needs a positive domain, got \(lower)...\(upper)")
    var (low, high) = (min(lower, upper), max(lower, upper))
    if high == low {
      if kind == .log {
        (low, high) = (low / 2, high * 2)
      } else {
        let pad = low == 0 ? 1 : abs(low) * 0.1
        (low, high) = (low - pad, high + pad)
      }
    }
    self.kind = kind
    self.lower = low
    self.upper = high
    self.start = start
    self.end = end
  }

  /// The pixel position of `value` (values outside the domain extrapolate).
  public func position(_ value: Double) -> Double {
    let fraction: Double
    switch kind {
    case .linear: fraction = (value - lower) / (upper - lower)
    case .log: fraction = (log10(max(value, .leastNormalMagnitude)) - log10(lower)) / (log10(upper) - log10(lower))
    }
    return start + fraction * (end - start)
  }

  /// The same scale with its domain widened to whole tick steps (linear) or whole
  /// decades when that adds at most one decade at each end (log).
  public func nicened(tickCount: Int = 5) -> AxisScale {
    var copy = self
    switch kind {
    case .linear:
      let step = Self.niceStep(span: upper - lower, count: tickCount)
      copy.lower = (lower / step).rounded(.down) * step
      copy.upper = (upper / step).rounded(.up) * step
    case .log:
      copy.lower = pow(10, log10(lower).rounded(.down))
      copy.upper = pow(10, log10(upper).rounded(.up))
    }
    return copy
  }

  /// Tick values inside the domain, ascending.
  public func ticks(count: Int = 5) -> [Double] {
    switch kind {
    case .linear: return Self.linearTicks(lower: lower, upper: upper, count: count)
    case .log: return Self.logTicks(lower: lower, upper: upper)
    }
  }

  /// The label of tick `value` among `ticks` (as many decimals as the step needs; log
  /// ticks as `1e-3` style below 0.001 or above 10⁵).
  public func label(_ value: Double, ticks: [Double]) -> String {
    switch kind {
    case .linear:
      let step = ticks.count > 1 ? ticks[1] - ticks[0] : Swift.max(abs(value), 1)
      return Self.format(value, step: step)
    case .log:
      let exponent = log10(value)
      if (value < 1e-3 || value >= 1e5) && abs(exponent - exponent.rounded()) < 1e-9 {
        return "1e\(Int(exponent.rounded()))"
      }
      return Self.format(value, step: value)
    }
  }

  // MARK: - Nice numbers

  /// A step of 1, 2 or 5 × 10ᵏ giving about `count` intervals over `span`.
  public static func niceStep(span: Double, count: Int) -> Double {
    guard span > 0, span.isFinite else { return 1 }
    let raw = span / Double(Swift.max(1, count))
    let magnitude = pow(10, log10(raw).rounded(.down))
    let fraction = raw / magnitude
    let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    return nice * magnitude
  }

  /// Multiples of the nice step within `[lower, upper]` (with a small tolerance).
  public static func linearTicks(lower: Double, upper: Double, count: Int) -> [Double] {
    let step = niceStep(span: upper - lower, count: count)
    let first = (lower / step - 1e-9).rounded(.up)
    let last = (upper / step + 1e-9).rounded(.down)
    guard last >= first, last - first < 1000 else { return [lower, upper] }
    return stride(from: first, through: last, by: 1).map { index in
      let value = index * step
      return abs(value) < step * 1e-9 ? 0 : value
    }
  }

  /// Powers of ten within `[lower, upper]`; with 2× and 5× multiples when the domain
  /// spans fewer than three decades; the ends themselves when there is no power inside.
  public static func logTicks(lower: Double, upper: Double) -> [Double] {
    let low = Int(log10(lower).rounded(.down))
    let high = Int(log10(upper).rounded(.up))
    let multipliers: [Double] = high - low < 3 ? [1, 2, 5] : [1]
    var ticks: [Double] = []
    for exponent in low...high {
      for multiplier in multipliers {
        let value = multiplier * pow(10, Double(exponent))
        if value >= lower * (1 - 1e-9) && value <= upper * (1 + 1e-9) { ticks.append(value) }
      }
    }
    return ticks.count >= 2 ? ticks : [lower, upper]
  }

  /// `value` with the decimals a tick `step` needs (no exponent for ordinary ranges).
  public static func format(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    if abs(value) >= 1e6 || abs(value) < 1e-4 { return String(format: "%.3g", value) }
    let decimals = step >= 1 ? 0 : Swift.min(6, Int((-log10(step) - 1e-9).rounded(.up)))
    let text = String(format: "%.\(decimals)f", value)
    return text == "-0" ? "0" : text
  }
}
