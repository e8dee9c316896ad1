import SiamTensor

/// `max(x, 0)` elementwise (PyTorch's `nn.ReLU`). Shapes: any → same. No tensors.
public final class ReLU: Module {
  public override init() { super.init() }

  public override func callAsFunction(_ x: Tensor) -> Tensor { relu(x) }
}
