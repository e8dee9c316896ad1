import Foundation

/// Linear warmup followed by cosine annealing, as a pure function of the step
/// (solo-learn's `LinearWarmupCosineAnnealingLR`, stepped per optimizer step):
///
/// ```
/// v(k) = v₀ + (v_base − v₀) · k / W                                 for k < W
/// v(k) = v_final + (v_base − v_final) · (1 + cos(π (k − W)/(T − W))) / 2   for W ≤ k ≤ T
/// v(k) = v_final                                                    for k > T
/// ```
///
/// with `W` warmup steps, `T` total steps, `v₀` the warmup start value. Computed in
/// Double, so a value depends only on the configuration and `k`.
public struct WarmupCosineSchedule: Sendable, Hashable {
  public var baseValue: Float
  public var warmupSteps: Int
  public var totalSteps: Int
  public var warmupStartValue: Float
  public var finalValue: Float

  public init(baseValue: Float, warmupSteps: Int, totalSteps: Int, warmupStartValue: Float = 0, finalValue: Float = 0) {
    precondition(
      warmupSteps >= 0 && totalSteps >= warmupSteps,
      "WarmupCosineSchedule: need 0 ≤ warmupSteps (\(warmupSteps)) ≤ totalSteps (\(totalSteps))")
    self.baseValue = baseValue
    self.warmupSteps = warmupSteps
    self.totalSteps = totalSteps
    self.warmupStartValue = warmupStartValue
    self.finalValue = finalValue
  }

  /// The value at step `k` (0-based).
  public func value(atStep k: Int) -> Float {
    precondition(k >= 0, "negative step \(k)")
    let (start, base, final) = (Double(warmupStartValue), Double(baseValue), Double(finalValue))
    if k < warmupSteps {
      return Float(start + (base - start) * Double(k) / Double(warmupSteps))
    }
    if k >= totalSteps { return finalValue }
    let progress = Double(k - warmupSteps) / Double(totalSteps - warmupSteps)
    return Float(final + (base - final) * (1 + cos(Double.pi * progress)) / 2)
  }
}
