import SiamTensor

// Reading and writing a module tree's tensors by dotted key, all through `walkTensors`.

extension Module {
  /// Every tensor (of `kind`, or all) with its dotted key, in `state_dict` order.
  public func namedTensors(kind: TensorKind? = nil) -> [(key: String, tensor: Tensor)] {
    var result: [(key: String, tensor: Tensor)] = []
    walkTensors(kind: kind) { key, _, tensor in result.append((key, tensor)) }
    return result
  }

  /// The trainable parameters with their keys.
  public func namedParameters() -> [(key: String, tensor: Tensor)] {
    namedTensors(kind: .parameter)
  }

  /// The buffers with their keys.
  public func namedBuffers() -> [(key: String, tensor: Tensor)] {
    namedTensors(kind: .buffer)
  }

  /// Every tensor (of `kind`, or all) keyed by its dotted key (PyTorch's `state_dict()`).
  public func stateDictionary(kind: TensorKind? = nil) -> [String: Tensor] {
    var result: [String: Tensor] = [:]
    walkTensors(kind: kind) { key, _, tensor in result[key] = tensor }
    return result
  }

  /// The dotted keys (of `kind`, or all), in `state_dict` order.
  public func tensorKeys(kind: TensorKind? = nil) -> [String] {
    namedTensors(kind: kind).map(\.key)
  }

  /// The kind of every key.
  public func tensorKinds() -> [String: TensorKind] {
    var result: [String: TensorKind] = [:]
    walkTensors { key, kind, _ in result[key] = kind }
    return result
  }

  /// The number of trainable scalars (PyTorch's `sum(p.numel() for p in parameters())`).
  public var parameterCount: Int {
    var total = 0
    walkTensors(kind: .parameter) { _, _, tensor in total += tensor.count }
    return total
  }

  /// The tensor at `key`, or nil when the tree has no such key.
  public func tensor(forKey key: String) -> Tensor? {
    var found: Tensor?
    walkTensors { candidate, _, tensor in if candidate == key { found = tensor } }
    return found
  }

  /// Replaces the tensor at `key`.
  ///
  /// - Precondition: `key` exists and `value` has the registered shape.
  public func setTensor(_ value: Tensor, forKey key: String) {
    var isFound = false
    walkTensors { candidate, _, tensor in
      if candidate == key {
        precondition(tensor.shape == value.shape, "\(key): shape \(value.shape) ≠ registered \(tensor.shape)")
        tensor = value.detached()
        isFound = true
      }
    }
    precondition(isFound, "no tensor with key '\(key)' in \(type(of: self))")
  }

  /// Replaces the tensors (of `kind`, or all) in walk order with `values`
  /// (the order of `namedTensors(kind:)`). Used to bind tracked tensors for autodiff.
  ///
  /// - Precondition: one value per tensor, each of the registered shape.
  public func assignTensors(_ values: [Tensor], kind: TensorKind? = nil) {
    var index = 0
    walkTensors(kind: kind) { key, _, tensor in
      precondition(index < values.count, "assignTensors: \(values.count) values for more tensors")
      precondition(
        values[index].shape == tensor.shape, "\(key): shape \(values[index].shape) ≠ registered \(tensor.shape)")
      tensor = values[index]
      index += 1
    }
    precondition(index == values.count, "assignTensors: \(values.count) values for \(index) tensors")
  }

  /// Loads tensors by key (PyTorch's `load_state_dict`).
  ///
  /// - Parameters:
  ///   - tensors: Values by dotted key.
  ///   - kind: Restrict to parameters or buffers (nil: both).
  ///   - isStrict: Require exactly the module's keys (of `kind`); otherwise load the
  ///     keys present in both and ignore the rest.
  ///   - source: A name for error messages (a file path).
  /// - Throws: `NNError.keyMismatch` listing missing and unexpected keys (when strict),
  ///   `NNError.shapeMismatch` naming the key and both shapes. Nothing is assigned
  ///   unless everything checks out.
  public func loadTensors(
    _ tensors: [String: Tensor], kind: TensorKind? = nil, isStrict: Bool = true, source: String? = nil
  ) throws {
    let own = namedTensors(kind: kind)
    let ownKeys = Set(own.map(\.key))
    if isStrict {
      let missing = own.map(\.key).filter { tensors[$0] == nil }
      let unexpected = tensors.keys.filter { !ownKeys.contains($0) }.sorted()
      if !missing.isEmpty || !unexpected.isEmpty {
        throw NNError.keyMismatch(missing: missing, unexpected: unexpected, path: source)
      }
    }
    for (key, tensor) in own {
      if let value = tensors[key], value.shape != tensor.shape {
        throw NNError(
          .shapeMismatch, path: source,
          "tensor '\(key)' has shape \(value.shape) but the module expects \(tensor.shape)")
      }
    }
    walkTensors(kind: kind) { key, _, tensor in
      if let value = tensors[key] { tensor = value.detached() }
    }
  }
}

// MARK: - Autodiff over a module's parameters

/// Evaluates `loss(model)` and its gradient with respect to every trainable parameter.
///
/// The parameters are replaced by tracked copies for the duration of `loss` (through the
/// keyed walk) and restored afterwards, so the model is unchanged except for what the
/// forward pass itself writes (BatchNorm running statistics in training mode, which are
/// computed from untracked batch statistics).
///
/// - Parameters:
///   - model: The module whose parameters are differentiated.
///   - loss: The computation; usually returns a scalar (for a non-scalar result the
///     gradient is that of the sum of its elements).
/// - Returns: The value (untracked) and one gradient per parameter, keyed by dotted key
///   and shaped like the parameter (zeros for parameters that do not influence the loss).
public func valueAndGradient<M: Module>(
  of model: M, _ loss: (M) -> Tensor
) -> (value: Tensor, gradients: [String: Tensor]) {
  let parameters = model.namedParameters()
  let originals = parameters.map(\.tensor)
  let (value, gradients) = valueAndGradient(at: originals) { tracked in
    model.assignTensors(tracked, kind: .parameter)
    defer { model.assignTensors(originals, kind: .parameter) }
    return loss(model)
  }
  var keyed: [String: Tensor] = [:]
  keyed.reserveCapacity(parameters.count)
  for (parameter, gradient) in zip(parameters, gradients) { keyed[parameter.key] = gradient }
  return (value, keyed)
}
