import Foundation
import SiamTensor

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), with PyTorch's
/// `torch.optim.AdamW` semantics (`amsgrad = False`):
///
/// ```
/// p = p · (1 − η·λ)                         (λ = 0 for weightDecayExclusions)
/// m = β₁·m + (1 − β₁)·g
/// v = β₂·v + (1 − β₂)·g²
/// t = t + 1
/// p = p − η/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
///
/// State per parameter: `exp_avg` (m), `exp_avg_sq` (v), `step` (t, a `Float` scalar).
public struct AdamW: Optimizer {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  /// Parameters that get no weight decay (default: none, as PyTorch).
  public var weightDecayExclusions: ParameterFilter
  private var firstMoments: [String: Tensor] = [:]
  private var secondMoments: [String: Tensor] = [:]
  private var steps: [String: Int] = [:]

  public init(
    learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 1e-2, weightDecayExclusions: ParameterFilter = .none
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.weightDecayExclusions = weightDecayExclusions
  }

  public mutating func step(key: String, parameter: inout Tensor, gradient: Tensor) {
    let decay = weightDecayExclusions.matches(key, parameter.shape) ? 0 : weightDecay
    var m = firstMoments.removeValue(forKey: key) ?? Tensor(zeros: parameter.shape)
    var v = secondMoments.removeValue(forKey: key) ?? Tensor(zeros: parameter.shape)
    let t = (steps[key] ?? 0) + 1
    steps[key] = t
    let (lr, b1, b2, eps) = (learningRate, beta1, beta2, epsilon)
    let stepSize = Float(Double(lr) / (1 - pow(Double(b1), Double(t))))
    let correction2 = Float((1 - pow(Double(b2), Double(t))).squareRoot())
    let shrink = 1 - lr * decay
    parameter.withUnsafeMutableBufferPointer { p in
      m.withUnsafeMutableBufferPointer { mp in
        v.withUnsafeMutableBufferPointer { vp in
          gradient.withUnsafeBufferPointer { g in
            for i in p.indices {
              p[i] *= shrink
              mp[i] = b1 * mp[i] + (1 - b1) * g[i]
              vp[i] = b2 * vp[i] + (1 - b2) * g[i] * g[i]
              p[i] -= stepSize * mp[i] / (vp[i].squareRoot() / correction2 + eps)
            }
          }
        }
      }
    }
    firstMoments[key] = m
    secondMoments[key] = v
  }

  public func stateTensors() -> [String: Tensor] {
    var result: [String: Tensor] = [:]
    for (key, m) in firstMoments { result["\(key).exp_avg"] = m }
    for (key, v) in secondMoments { result["\(key).exp_avg_sq"] = v }
    for (key, t) in steps { result["\(key).step"] = Tensor(Float(t)) }
    return result
  }

  public mutating func loadState(_ tensors: [String: Tensor]) throws {
    let groups = try groupState(tensors, names: ["exp_avg_sq", "exp_avg", "step"], optimizer: "AdamW")
    firstMoments = groups["exp_avg"]!
    secondMoments = groups["exp_avg_sq"]!
    steps = groups["step"]!.mapValues { Int($0.scalar) }
  }
}
