import SiamTensor

/// The update rules Siam has, by the name pipeline files, configurations and checkpoints
/// use: the one list of optimizer kinds for pretraining, fine-tuning and supervised
/// training.
public enum OptimizerKind: String, Codable, Sendable, Hashable, CaseIterable {
  /// `SGD`: momentum, optional Nesterov, coupled weight decay.
  case sgd
  /// `LARS` around SGD with momentum (SimCLR, BYOL, Barlow Twins).
  case lars
  /// `AdamW`: decoupled weight decay.
  case adamw
}

/// An optimizer: one update rule applied per parameter, with its state keyed by the
/// parameter's dotted key (so it can be saved and restored by key, like PyTorch's
/// `optimizer.state_dict()` but with names instead of indices).
///
/// `update(_:gradients:)` walks a module's parameters and calls `step` for each one
/// that has a gradient; a parameter without gradient is left alone, as PyTorch skips
/// parameters whose `.grad` is `None`.
public protocol Optimizer: Sendable {
  /// The learning rate of the next step (set it from a schedule before each step).
  var learningRate: Float { get set }

  /// Updates one parameter in place from its gradient.
  ///
  /// - Parameters:
  ///   - key: The parameter's dotted key (names its state).
  ///   - parameter: The value to update; its shape never changes.
  ///   - gradient: `∂loss/∂parameter`, same shape.
  mutating func step(key: String, parameter: inout Tensor, gradient: Tensor)

  /// The state as named tensors, `"<parameter key>.<state name>"`
  /// (`layer1.0.conv1.weight.momentum_buffer`, `fc.weight.exp_avg`, `fc.weight.step`).
  func stateTensors() -> [String: Tensor]

  /// Replaces the state with tensors produced by `stateTensors()`.
  ///
  /// - Throws: `NNError.keyMismatch` for a key with an unknown state name.
  mutating func loadState(_ tensors: [String: Tensor]) throws
}

extension Optimizer {
  /// Steps every parameter of `model` that has a gradient in `gradients`.
  ///
  /// - Precondition: each gradient has its parameter's shape.
  public mutating func update(_ model: Module, gradients: [String: Tensor]) {
    model.walkTensors(kind: .parameter) { key, _, parameter in
      guard let gradient = gradients[key] else { return }
      precondition(
        gradient.shape == parameter.shape,
        "gradient of '\(key)' has shape \(gradient.shape), parameter \(parameter.shape)")
      step(key: key, parameter: &parameter, gradient: gradient)
    }
  }
}

/// Chooses parameters by key and shape (for weight-decay and LARS exclusions).
public struct ParameterFilter: Sendable {
  /// Whether the parameter with this key and shape is selected.
  public let matches: @Sendable (_ key: String, _ shape: [Int]) -> Bool

  public init(_ matches: @escaping @Sendable (_ key: String, _ shape: [Int]) -> Bool) {
    self.matches = matches
  }

  /// Selects nothing.
  public static let none = ParameterFilter { _, _ in false }

  /// Biases and normalisation parameters: every parameter of rank ≤ 1 (solo-learn's
  /// `exclude_bias_n_norm`, which tests `p.ndim == 1`).
  public static let biasAndNormalization = ParameterFilter { _, shape in shape.count <= 1 }
}

// MARK: - Shared helpers

/// Splits `"<parameter key>.<name>"` for one of `names`; nil when no name fits.
func splitStateKey(_ key: String, names: [String]) -> (parameter: String, name: String)? {
  for name in names where key.hasSuffix("." + name) {
    return (String(key.dropLast(name.count + 1)), name)
  }
  return nil
}

/// The state tensors of `tensors` grouped by state name, or a `keyMismatch` error.
func groupState(_ tensors: [String: Tensor], names: [String], optimizer: String) throws -> [String: [String: Tensor]] {
  var result: [String: [String: Tensor]] = [:]
  for name in names { result[name] = [:] }
  var unknown: [String] = []
  for (key, value) in tensors {
    if let (parameter, name) = splitStateKey(key, names: names) {
      result[name]![parameter] = value
    } else {
      unknown.append(key)
    }
  }
  if !unknown.isEmpty {
    throw NNError(
      .keyMismatch,
      "\(optimizer) state has unknown keys \(unknown.sorted().prefix(8).joined(separator: ", ")); expected '<parameter>.{\(names.joined(separator: ","))}'"
    )
  }
  return result
}

/// `√(Σ xᵢ²)` accumulated in Double.
func l2Norm(_ x: Tensor) -> Float {
  x.withUnsafeBufferPointer { p in
    var sum = 0.0
    for v in p { sum += Double(v) * Double(v) }
    return Float(sum.squareRoot())
  }
}
