import SiamTensor

/// A fully connected layer, `y = x·Wᵀ + b` (PyTorch's `nn.Linear`).
///
/// Shapes: input `[N, In]`, output `[N, Out]`; `weight` `[Out, In]`, `bias` `[Out]`.
/// Keys: `weight`, `bias` (when `hasBias`).
public final class Linear: Module {
  public let inputFeatures: Int
  public let outputFeatures: Int

  /// Creates a layer with PyTorch's default initialisation drawn from `key`
  /// (`weight ~ U(−1/√In, 1/√In)`, `bias ~ U(−1/√In, 1/√In)`). The weight uses
  /// `key.folded(in: "weight")`, the bias `key.folded(in: "bias")`.
  public init(
    _ inputFeatures: Int, _ outputFeatures: Int, hasBias: Bool = true,
    initialization: WeightInitialization = .pytorchDefault, key: RandomKey
  ) {
    precondition(
      inputFeatures > 0 && outputFeatures > 0, "Linear(\(inputFeatures), \(outputFeatures)): widths must be positive")
    self.inputFeatures = inputFeatures
    self.outputFeatures = outputFeatures
    super.init()
    addParameter(
      "weight", initialization.makeWeight(shape: [outputFeatures, inputFeatures], key: key.folded(in: "weight")))
    if hasBias {
      addParameter("bias", makeDefaultBias(count: outputFeatures, fanIn: inputFeatures, key: key.folded(in: "bias")))
    }
  }

  /// `[Out, In]`.
  public var weight: Tensor {
    get { localTensor("weight") }
    set { setLocalTensor("weight", newValue) }
  }

  /// `[Out]`, or nil for a layer without bias.
  public var bias: Tensor? { localTensorIfPresent("bias") }

  /// `[N, In] → [N, Out]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 2 && x.shape[1] == inputFeatures, "Linear(\(inputFeatures), \(outputFeatures)): input shape \(x.shape)")
    return linear(x, weight: weight, bias: bias)
  }
}
