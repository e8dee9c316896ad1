import SiamTensor

/// What a named tensor of a module is: trained by the optimizer, or state it keeps.
public enum TensorKind: Sendable, Hashable {
  /// A trainable parameter (PyTorch's `nn.Parameter`): tracked by `valueAndGradient(of:_:)`
  /// and updated by optimizers.
  case parameter
  /// Persistent non-trainable state (PyTorch's registered buffer), such as BatchNorm's
  /// `running_mean`, `running_var` and `num_batches_tracked` (stored as `Float`).
  case buffer
}

/// A network layer or a tree of layers: parameters, buffers, child modules and config.
///
/// Modules are reference types, as in PyTorch. Each module registers its own tensors
/// (`addParameter`, `addBuffer`) and children (`addChild`) in its initialiser; one keyed
/// tree walk (`walkTensors`) then enumerates every tensor with its PyTorch-style dotted
/// key (`layer1.0.bn1.running_mean`, `0.weight` for `Sequential` children), in PyTorch's
/// `state_dict` order: a module's own parameters, its own buffers, then its children in
/// registration order. Every key-based API (gradients, optimizer state, checkpoints) goes
/// through that walk.
///
/// Subclasses override `callAsFunction(_:)`, usually a few lines over functional ops.
open class Module {
  private struct Entry {
    let name: String
    let kind: TensorKind
    var value: Tensor
  }

  private var entries: [Entry] = []
  private var childEntries: [(name: String, module: Module)] = []

  /// Whether the module is in training mode (BatchNorm uses batch statistics and updates
  /// its running statistics). New modules are in training mode, as in PyTorch.
  public private(set) var isTraining = true

  public init() {}

  /// Applies the module. Subclasses override; the base class traps.
  open func callAsFunction(_ x: Tensor) -> Tensor {
    preconditionFailure("\(type(of: self)) does not implement callAsFunction(_:)")
  }

  // MARK: - Registration (for subclasses)

  /// Registers a trainable parameter under `name` (no dots).
  public final func addParameter(_ name: String, _ value: Tensor) {
    addEntry(Entry(name: name, kind: .parameter, value: value.detached()))
  }

  /// Registers a buffer (persistent, not trained) under `name` (no dots).
  public final func addBuffer(_ name: String, _ value: Tensor) {
    addEntry(Entry(name: name, kind: .buffer, value: value.detached()))
  }

  private func addEntry(_ entry: Entry) {
    precondition(isValidName(entry.name), "invalid tensor name '\(entry.name)' in \(type(of: self))")
    precondition(
      !entries.contains { $0.name == entry.name } && !childEntries.contains { $0.name == entry.name },
      "duplicate name '\(entry.name)' in \(type(of: self))")
    entries.append(entry)
  }

  /// Registers a child module under `name` (no dots); its keys are prefixed by `name.`.
  public final func addChild(_ name: String, _ child: Module) {
    precondition(isValidName(name), "invalid child name '\(name)' in \(type(of: self))")
    precondition(
      !entries.contains { $0.name == name } && !childEntries.contains { $0.name == name },
      "duplicate name '\(name)' in \(type(of: self))")
    precondition(child !== self, "a module cannot be its own child")
    childEntries.append((name, child))
  }

  private func isValidName(_ name: String) -> Bool {
    !name.isEmpty && !name.contains(".")
  }

  /// The module's own tensor `name` (not a child's).
  ///
  /// - Precondition: the module registered `name`.
  public final func localTensor(_ name: String) -> Tensor {
    guard let index = entries.firstIndex(where: { $0.name == name }) else {
      preconditionFailure("\(type(of: self)) has no tensor '\(name)'")
    }
    return entries[index].value
  }

  /// The module's own tensor `name`, or nil when it has none (an optional bias).
  public final func localTensorIfPresent(_ name: String) -> Tensor? {
    entries.first(where: { $0.name == name })?.value
  }

  /// Replaces the module's own tensor `name`, keeping its kind.
  ///
  /// - Precondition: `name` is registered and `value` has its shape.
  public final func setLocalTensor(_ name: String, _ value: Tensor) {
    guard let index = entries.firstIndex(where: { $0.name == name }) else {
      preconditionFailure("\(type(of: self)) has no tensor '\(name)'")
    }
    precondition(
      entries[index].value.shape == value.shape,
      "\(type(of: self)).\(name): shape \(value.shape) ≠ registered \(entries[index].value.shape)")
    entries[index].value = value
  }

  /// The direct children with their names, in registration order.
  public final var children: [(name: String, module: Module)] { childEntries }

  // MARK: - The keyed walk

  /// Visits every tensor of the tree (filtered by `kind` when given) with its dotted key,
  /// in `state_dict` order; `body` may replace the tensor in place.
  ///
  /// This is the one place keys are produced. Replacing a tensor with one of another
  /// shape is a programmer error.
  public final func walkTensors(
    kind: TensorKind? = nil, _ body: (_ key: String, _ kind: TensorKind, _ tensor: inout Tensor) throws -> Void
  ) rethrows {
    try walk(prefix: "", kind: kind, body)
  }

  private func walk(
    prefix: String, kind: TensorKind?, _ body: (String, TensorKind, inout Tensor) throws -> Void
  ) rethrows {
    for index in entries.indices where kind == nil || entries[index].kind == kind {
      let shape = entries[index].value.shape
      let key = prefix + entries[index].name
      try body(key, entries[index].kind, &entries[index].value)
      precondition(
        entries[index].value.shape == shape,
        "walk replaced '\(key)' of shape \(shape) with shape \(entries[index].value.shape)")
    }
    for child in childEntries {
      try child.module.walk(prefix: prefix + child.name + ".", kind: kind, body)
    }
  }

  /// Every module of the tree with its dotted key (`""` for `self`), parents first.
  public final func namedModules() -> [(key: String, module: Module)] {
    var result: [(key: String, module: Module)] = [("", self)]
    for child in childEntries {
      result += child.module.namedModules().map {
        (key: $0.key.isEmpty ? child.name : child.name + "." + $0.key, module: $0.module)
      }
    }
    return result
  }

  // MARK: - Train / eval

  /// Sets training mode on this module and every descendant.
  public final func train(_ isTraining: Bool = true) {
    self.isTraining = isTraining
    for child in childEntries { child.module.train(isTraining) }
  }

  /// Sets evaluation mode (`train(false)`).
  public final func eval() {
    train(false)
  }
}
