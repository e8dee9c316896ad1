import SiamTensor

/// Passes its input through (PyTorch's `nn.Identity`). Shapes: any → same. No tensors.
public final class Identity: Module {
  public override init() { super.init() }

  public override func callAsFunction(_ x: Tensor) -> Tensor { x }
}
