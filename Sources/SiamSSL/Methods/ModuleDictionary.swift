import SiamNN
import SiamTensor

/// A module that only groups named children (PyTorch's `nn.ModuleDict`): the keys of
/// child `name` are prefixed by `name.`.
///
/// Methods use one for the online network the optimizer updates (`encoder`,
/// `projector`, `predictor`) and one for everything they checkpoint (the same children
/// plus `momentum_encoder`, `momentum_projector` and buffers such as MoCo's `queue`).
/// A module may be a child of both: the two walks see the same tensors.
public final class ModuleDictionary: Module {
  /// - Parameter modules: The children, in registration (and `state_dict`) order.
  public init(_ modules: [(name: String, module: Module)]) {
    super.init()
    for (name, module) in modules { addChild(name, module) }
  }

  /// The child called `name`, or nil.
  public subscript(name: String) -> Module? {
    children.first { $0.name == name }?.module
  }
}
