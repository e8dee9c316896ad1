import SiamTensor

/// A layer of `K` prototypes scored by cosine similarity, `y = x̂·Ŵᵀ` with `x̂` and the
/// rows of `Ŵ` L2-normalised.
///
/// DINO's last layer (a weight-normalised `Linear(B, K, bias=False)` whose gain is fixed
/// to 1, `norm_last_layer=True`: `Ŵ = V/‖V‖` row by row, on an input the head has already
/// normalised) and SwAV's prototypes (normalised after every step in the paper's code;
/// normalised in the forward pass here, which gives the same scores).
///
/// Shapes: input `[N, B]`, output `[N, K]`, values in `[−1, 1]`. Keys: `weight` `[K, B]`
/// (PyTorch's `weight_v`).
public final class PrototypeLayer: Module {
  public let inputFeatures: Int
  public let prototypeCount: Int

  /// - Parameters:
  ///   - inputFeatures: `B`.
  ///   - prototypes: `K`.
  ///   - key: The weight draws from `key.folded(in: "weight")`, as a PyTorch `Linear`.
  public init(_ inputFeatures: Int, prototypes: Int, key: RandomKey) {
    precondition(
      inputFeatures > 0 && prototypes > 0, "PrototypeLayer(\(inputFeatures), \(prototypes)): sizes must be positive")
    self.inputFeatures = inputFeatures
    self.prototypeCount = prototypes
    super.init()
    addParameter(
      "weight",
      WeightInitialization.pytorchDefault.makeWeight(
        shape: [prototypes, inputFeatures], key: key.folded(in: "weight")))
  }

  /// `[K, B]`, unnormalised.
  public var weight: Tensor {
    get { localTensor("weight") }
    set { setLocalTensor("weight", newValue) }
  }

  /// `[N, B] → [N, K]`: the cosine of each row with each prototype.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == 2 && x.shape[1] == inputFeatures,
      "PrototypeLayer(\(inputFeatures), \(prototypeCount)): input shape \(x.shape)")
    return matmul(l2Normalized(x, alongAxis: 1), l2Normalized(weight, alongAxis: 1), transposeB: true)
  }
}

/// DINO's projection head (Caron et al., 2021): an MLP onto a bottleneck, then
/// `PrototypeLayer` onto `K` prototypes (which normalises the bottleneck).
///
/// `mlp` is `Linear → ReLU → … → Linear(B)` (the paper's GELU is ReLU here, the engine's
/// activation; BatchNorm in the hidden layers when asked, the paper's `use_bn`).
/// Shapes: `[N, In] → [N, K]`. Keys: `mlp.0.weight`, …, `last_layer.weight`.
public final class DINOHead: Module {
  public let mlp: MLPHead
  public let lastLayer: PrototypeLayer

  /// - Parameters:
  ///   - inputFeatures: The encoder's `D`.
  ///   - hiddenWidths: The MLP's hidden widths (the paper: 2048, 2048).
  ///   - bottleneckFeatures: `B` (the paper: 256).
  ///   - prototypes: `K` (the paper: 65536).
  ///   - hasBatchNorm: BatchNorm1d after each hidden Linear.
  ///   - key: `mlp` draws from `key.folded(in: "mlp")`, the last layer from `"last_layer"`.
  public init(
    inputFeatures: Int, hiddenWidths: [Int], bottleneckFeatures: Int, prototypes: Int, hasBatchNorm: Bool = false,
    key: RandomKey
  ) {
    mlp = MLPHead(
      inputFeatures: inputFeatures, hiddenWidths: hiddenWidths, outputFeatures: bottleneckFeatures,
      hasBatchNorm: hasBatchNorm, key: key.folded(in: "mlp"))
    lastLayer = PrototypeLayer(bottleneckFeatures, prototypes: prototypes, key: key.folded(in: "last_layer"))
    super.init()
    addChild("mlp", mlp)
    addChild("last_layer", lastLayer)
  }

  /// `[N, In] → [N, K]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    lastLayer(mlp(x))
  }
}
