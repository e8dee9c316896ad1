import SiamTensor

/// Applies its layers in order (PyTorch's `nn.Sequential`).
///
/// Children are named by position: the keys of layer `i` are prefixed by `i.`
/// (`0.weight`, `1.running_mean`), as in PyTorch, including parameter-free layers, which
/// take a position without adding keys. Shapes: those of the first layer's input and
/// the last layer's output.
open class Sequential: Module {
  public private(set) var layers: [Module] = []

  public init(_ layers: [Module]) {
    super.init()
    for layer in layers { append(layer) }
  }

  /// Adds `layer` at the end, under the next position.
  public final func append(_ layer: Module) {
    addChild(String(layers.count), layer)
    layers.append(layer)
  }

  open override func callAsFunction(_ x: Tensor) -> Tensor {
    layers.reduce(x) { $1($0) }
  }
}
