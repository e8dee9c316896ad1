import SiamTensor

/// Layer-wise adaptive rate scaling (You et al., 2017) in solo-learn's formulation
/// (`solo/utils/lars.py`), wrapped around SGD with momentum:
///
/// ```
/// if the parameter is adapted (not in exclusions) and ‖p‖ ≠ 0 and ‖g‖ ≠ 0:
///   r = η_trust · ‖p‖ / (‖g‖ + λ·‖p‖ + ε)
///   if clipsLearningRate: r = min(r / η, 1)
///   d = (g + λ·p) · r
/// else:
///   d = g                                     (no decay, no adaptation)
/// b = d (first step), b = μ·b + (1 − τ)·d (later)
/// d = d + μ·b (Nesterov) or d = b
/// p = p − η·d
/// ```
///
/// Excluded parameters (default: rank ≤ 1, the biases and BatchNorm parameters) get
/// neither weight decay nor adaptation. State per parameter: `momentum_buffer`.
public struct LARS: Optimizer {
  public var learningRate: Float
  public var momentum: Float
  public var dampening: Float
  public var weightDecay: Float
  public var isNesterov: Bool
  /// η_trust, the trust coefficient (solo-learn's `eta`, default 0.001).
  public var trustCoefficient: Float
  public var epsilon: Float
  /// Whether the adapted rate is clipped to the global one (solo-learn's `clip_lr`).
  public var clipsLearningRate: Bool
  /// Parameters with neither adaptation nor weight decay.
  public var exclusions: ParameterFilter
  private var momentumBuffers: [String: Tensor] = [:]

  public init(
    learningRate: Float, momentum: Float = 0.9, dampening: Float = 0, weightDecay: Float = 0,
    isNesterov: Bool = false, trustCoefficient: Float = 0.001, epsilon: Float = 1e-8,
    clipsLearningRate: Bool = false, exclusions: ParameterFilter = .biasAndNormalization
  ) {
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.isNesterov = isNesterov
    self.trustCoefficient = trustCoefficient
    self.epsilon = epsilon
    self.clipsLearningRate = clipsLearningRate
    self.exclusions = exclusions
  }

  /// The factor `r` that scales the (decayed) gradient of a parameter, or nil when the
  /// parameter is not adapted.
  public func trustRatio(key: String, parameter: Tensor, gradient: Tensor) -> Float? {
    guard !exclusions.matches(key, parameter.shape) else { return nil }
    let parameterNorm = l2Norm(parameter)
    let gradientNorm = l2Norm(gradient)
    guard parameterNorm != 0 && gradientNorm != 0 else { return nil }
    var ratio = trustCoefficient * parameterNorm / (gradientNorm + parameterNorm * weightDecay + epsilon)
    if clipsLearningRate { ratio = Swift.min(ratio / learningRate, 1) }
    return ratio
  }

  public mutating func step(key: String, parameter: inout Tensor, gradient: Tensor) {
    let ratio = trustRatio(key: key, parameter: parameter, gradient: gradient)
    let (scale, decay) = ratio.map { ($0, weightDecay) } ?? (1, 0)
    let (lr, mu, damping, nesterov) = (learningRate, momentum, 1 - dampening, isNesterov)
    let existing = momentumBuffers.removeValue(forKey: key)
    var buffer = existing ?? Tensor(uninitializedShape: parameter.shape)
    let isFirst = existing == nil
    parameter.withUnsafeMutableBufferPointer { p in
      buffer.withUnsafeMutableBufferPointer { b in
        gradient.withUnsafeBufferPointer { g in
          for i in p.indices {
            let d = (g[i] + decay * p[i]) * scale
            if mu == 0 {
              p[i] -= lr * d
              continue
            }
            b[i] = isFirst ? d : mu * b[i] + damping * d
            p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
          }
        }
      }
    }
    if mu != 0 { momentumBuffers[key] = buffer }
  }

  public func stateTensors() -> [String: Tensor] {
    Dictionary(uniqueKeysWithValues: momentumBuffers.map { ("\($0.key).momentum_buffer", $0.value) })
  }

  public mutating func loadState(_ tensors: [String: Tensor]) throws {
    momentumBuffers = try groupState(tensors, names: ["momentum_buffer"], optimizer: "LARS")["momentum_buffer"]!
  }
}
