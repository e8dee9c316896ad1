import SiamTensor

/// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, with
/// PyTorch's `torch.optim.SGD` semantics:
///
/// ```
/// d = g + λ·p                      (λ = 0 for parameters in weightDecayExclusions)
/// b = d                  (first step)
/// b = μ·b + (1 − τ)·d    (later steps; τ = dampening)
/// d = d + μ·b (Nesterov)  or  d = b
/// p = p − η·d
/// ```
///
/// State per parameter (with momentum): `momentum_buffer`.
public struct SGD: Optimizer {
  public var learningRate: Float
  public var momentum: Float
  public var dampening: Float
  public var weightDecay: Float
  public var isNesterov: Bool
  /// Parameters that get no weight decay (default: none, as PyTorch).
  public var weightDecayExclusions: ParameterFilter
  private var momentumBuffers: [String: Tensor] = [:]

  public init(
    learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
    isNesterov: Bool = false, weightDecayExclusions: ParameterFilter = .none
  ) {
    precondition(
      !isNesterov || (momentum > 0 && dampening == 0),
      "Nesterov momentum requires a momentum and zero dampening (momentum \(momentum), dampening \(dampening))")
    self.learningRate = learningRate
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.isNesterov = isNesterov
    self.weightDecayExclusions = weightDecayExclusions
  }

  public mutating func step(key: String, parameter: inout Tensor, gradient: Tensor) {
    let decay = weightDecayExclusions.matches(key, parameter.shape) ? 0 : weightDecay
    let (lr, mu, damping, nesterov) = (learningRate, momentum, 1 - dampening, isNesterov)
    guard mu != 0 else {
      parameter.withUnsafeMutableBufferPointer { p in
        gradient.withUnsafeBufferPointer { g in
          for i in p.indices { p[i] -= lr * (g[i] + decay * p[i]) }
        }
      }
      return
    }
    let existing = momentumBuffers.removeValue(forKey: key)
    var buffer = existing ?? Tensor(uninitializedShape: parameter.shape)
    let isFirst = existing == nil
    parameter.withUnsafeMutableBufferPointer { p in
      buffer.withUnsafeMutableBufferPointer { b in
        gradient.withUnsafeBufferPointer { g in
          for i in p.indices {
            let d = g[i] + decay * p[i]
            b[i] = isFirst ? d : mu * b[i] + damping * d
            p[i] -= lr * (nesterov ? d + mu * b[i] : b[i])
          }
        }
      }
    }
    momentumBuffers[key] = buffer
  }

  public func stateTensors() -> [String: Tensor] {
    Dictionary(uniqueKeysWithValues: momentumBuffers.map { ("\($0.key).momentum_buffer", $0.value) })
  }

  public mutating func loadState(_ tensors: [String: Tensor]) throws {
    momentumBuffers = try groupState(tensors, names: ["momentum_buffer"], optimizer: "SGD")["momentum_buffer"]!
  }
}
