import SiamTensor

/// Batch normalisation over every axis but the channel axis 1 (the shared implementation
/// of `BatchNorm1d` and `BatchNorm2d`, PyTorch's `_BatchNorm`).
///
/// `y = (x − μ) / √(σ² + ε) · γ + β`. In training mode `μ`, `σ²` are the batch mean and
/// biased batch variance, and the running statistics are updated as in PyTorch:
/// `running_mean ← (1 − m)·running_mean + m·μ`,
/// `running_var ← (1 − m)·running_var + m·σ²·n/(n − 1)` (the unbiased variance, `n` the
/// number of values per channel), `num_batches_tracked ← num_batches_tracked + 1`. In
/// evaluation mode the running statistics are used.
///
/// Keys: `weight` (γ), `bias` (β) when `isAffine`; buffers `running_mean`, `running_var`,
/// `num_batches_tracked` (a `Float` scalar; PyTorch stores an `int64`).
public class BatchNorm: Module {
  public let featureCount: Int
  public let momentum: Float
  public let epsilon: Float
  public let isAffine: Bool
  /// The input rank this layer accepts (2 for `BatchNorm1d`, 4 for `BatchNorm2d`).
  let inputRank: Int

  init(featureCount: Int, momentum: Float, epsilon: Float, isAffine: Bool, inputRank: Int) {
    precondition(featureCount > 0, "BatchNorm: feature count must be positive, got \(featureCount)")
    precondition(momentum >= 0 && momentum <= 1, "BatchNorm: momentum must be in [0, 1], got \(momentum)")
    self.featureCount = featureCount
    self.momentum = momentum
    self.epsilon = epsilon
    self.isAffine = isAffine
    self.inputRank = inputRank
    super.init()
    if isAffine {
      addParameter("weight", Tensor(ones: [featureCount]))
      addParameter("bias", Tensor(zeros: [featureCount]))
    }
    addBuffer("running_mean", Tensor(zeros: [featureCount]))
    addBuffer("running_var", Tensor(ones: [featureCount]))
    addBuffer("num_batches_tracked", Tensor(0))
  }

  /// γ `[C]`, nil when not affine.
  public var weight: Tensor? { localTensorIfPresent("weight") }
  /// β `[C]`, nil when not affine.
  public var bias: Tensor? { localTensorIfPresent("bias") }

  /// `[C]`.
  public var runningMean: Tensor {
    get { localTensor("running_mean") }
    set { setLocalTensor("running_mean", newValue) }
  }

  /// `[C]`.
  public var runningVariance: Tensor {
    get { localTensor("running_var") }
    set { setLocalTensor("running_var", newValue) }
  }

  /// The number of training batches seen (`[]`).
  public var batchesTracked: Float {
    localTensor("num_batches_tracked").scalar
  }

  /// Normalises `x`; in training mode also updates the running statistics.
  ///
  /// Shapes: `[N, C]` (BatchNorm1d) or `[N, C, H, W]` (BatchNorm2d) → same shape.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    precondition(
      x.rank == inputRank && x.shape[1] == featureCount,
      "\(type(of: self))(\(featureCount)): input shape \(x.shape)")
    guard isTraining else {
      return batchNorm(x, mean: runningMean, variance: runningVariance, gamma: weight, beta: bias, epsilon: epsilon)
    }
    let valuesPerChannel = x.count / featureCount
    precondition(
      valuesPerChannel > 1,
      "\(type(of: self)): expected more than 1 value per channel in training mode, got input shape \(x.shape)")
    let (output, mean, variance) = batchNorm(x, gamma: weight, beta: bias, epsilon: epsilon)
    recordBatchStatistics(mean: mean, variance: variance, valuesPerChannel: valuesPerChannel)
    return output
  }

  /// Updates the running statistics from one training batch's mean and biased variance
  /// over `valuesPerChannel` values per channel (what a training-mode call does; layers
  /// that compute the normalisation themselves, such as a fused convolution stack, call it).
  public func recordBatchStatistics(mean: Tensor, variance: Tensor, valuesPerChannel: Int) {
    let correction = Float(valuesPerChannel) / Float(valuesPerChannel - 1)
    runningMean = runningMean.detached() * (1 - momentum) + mean.detached() * momentum
    runningVariance = runningVariance.detached() * (1 - momentum) + variance.detached() * (momentum * correction)
    setLocalTensor("num_batches_tracked", Tensor(batchesTracked + 1))
  }
}

/// Batch normalisation of feature vectors (PyTorch's `nn.BatchNorm1d` for `[N, C]` input;
/// `[N, C, L]` input is not supported). Shapes: `[N, C] → [N, C]`. Defaults as in
/// PyTorch: momentum 0.1, ε = 1e-5, affine.
public final class BatchNorm1d: BatchNorm {
  public init(_ featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, isAffine: Bool = true) {
    super.init(featureCount: featureCount, momentum: momentum, epsilon: epsilon, isAffine: isAffine, inputRank: 2)
  }
}

/// Batch normalisation of feature maps (PyTorch's `nn.BatchNorm2d`).
/// Shapes: `[N, C, H, W] → [N, C, H, W]`. Defaults as in PyTorch: momentum 0.1,
/// ε = 1e-5, affine.
public final class BatchNorm2d: BatchNorm {
  public init(_ featureCount: Int, momentum: Float = 0.1, epsilon: Float = 1e-5, isAffine: Bool = true) {
    super.init(featureCount: featureCount, momentum: momentum, epsilon: epsilon, isAffine: isAffine, inputRank: 4)
  }
}
