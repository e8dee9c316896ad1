import Foundation
import SiamNN

/// The momentum `m` of an exponential-moving-average target, rising from `base` to
/// `final` on a half cosine over training (BYOL's schedule, solo-learn's
/// `MomentumUpdater`):
///
///     m_k = final − (final − base)·(cos(πk/K) + 1)/2
///
/// `m_0 = base`, `m_K = final`; with `final = base` it is constant (MoCo v2's). With
/// `final = 1` it equals `EMA.cosineMomentum(base:step:totalSteps:)`.
public struct MomentumSchedule: Sendable, Hashable, Codable {
  public var base: Float
  public var final: Float

  public init(base: Float, final: Float) {
    self.base = base
    self.final = final
  }

  /// A constant momentum.
  public static func constant(_ momentum: Float) -> MomentumSchedule {
    MomentumSchedule(base: momentum, final: momentum)
  }

  /// `m_k` for step `k` of `K` (`k` is clamped to `K`).
  ///
  /// - Precondition: `totalSteps > 0`, `step ≥ 0`.
  public func value(step k: Int, totalSteps: Int) -> Float {
    precondition(totalSteps > 0 && k >= 0, "MomentumSchedule: step \(k) of \(totalSteps)")
    if base == final { return base }
    let progress = Double(Swift.min(k, totalSteps)) / Double(totalSteps)
    return Float(Double(final) - (Double(final) - Double(base)) * (cos(Double.pi * progress) + 1) / 2)
  }

  /// Throws unless `0 ≤ base ≤ final ≤ 1`.
  func validate(key: String) throws {
    guard base >= 0, base <= final, final <= 1 else {
      throw SSLError(
        .invalidConfiguration, key: key,
        "momentum must satisfy 0 ≤ base ≤ final ≤ 1, got base \(base), final \(final)")
    }
  }
}

/// Moves each target module towards its online twin: `θ_t ← m·θ_t + (1 − m)·θ_o` for
/// parameters; buffers (BatchNorm running statistics) are left to the target's own
/// forward passes, as in solo-learn.
func updateMomentumPairs(_ pairs: [(target: Module, online: Module)], momentum m: Float) {
  for (target, online) in pairs {
    EMA.update(target: target, online: online, momentum: m, copiesBuffers: false)
  }
}

/// One EMA step of momentum methods after the optimizer's: `m_k` from `schedule`, every
/// pair moved by `updateMomentumPairs`; returns the metrics `afterOptimizerStep` reports.
func momentumStep(
  _ pairs: [(target: Module, online: Module)], schedule: MomentumSchedule, step: Int, totalSteps: Int
) -> [String: Float] {
  let m = schedule.value(step: step, totalSteps: totalSteps)
  updateMomentumPairs(pairs, momentum: m)
  return ["momentum": m]
}

/// Copies every tensor of `source` into `target` (same architecture): how a momentum
/// network starts as a copy of the online one.
func copyTensors(from source: Module, to target: Module) {
  do {
    try target.loadTensors(source.stateDictionary(), isStrict: true, source: "momentum copy")
  } catch {
    preconditionFailure("momentum copy of \(type(of: source)) has other keys or shapes: \(error)")
  }
}
