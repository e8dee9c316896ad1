import SiamTensor

/// Flattens every axis after the first (PyTorch's `nn.Flatten()`).
/// Shapes: `[N, ...] → [N, D]` with `D` the product of the other extents. No tensors.
public final class Flatten: Module {
  public override init() { super.init() }

  public override func callAsFunction(_ x: Tensor) -> Tensor {
    x.rank == 2 ? x : x.flattened()
  }
}
