import Foundation

// Batch normalisation, training (batch statistics) and evaluation (given statistics).

/// Batch normalisation with batch statistics (training mode), over every axis but 1.
///
/// `y = (x − μ)/√(σ² + ε)·γ + β` with `μ`, `σ²` the per-channel mean and biased variance
/// over the batch and spatial axes.
///
/// Shapes: `x` `[N, C]` or `[N, C, H, W]`; `gamma`, `beta` `[C]` (nil: 1 and 0);
/// returns the output (shape of `x`) and the batch `mean` and biased `variance` `[C]`
/// (untracked, for running statistics).
/// - Complexity: two passes over `x` forward (statistics, output), two backward.
public func batchNorm(
  _ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float
) -> (output: Tensor, mean: Tensor, variance: Tensor) {
  let layout = ChannelLayout(x.shape, operation: "batchNorm")
  layout.check(gamma, "gamma", operation: "batchNorm")
  layout.check(beta, "beta", operation: "batchNorm")
  let input = x.detached()
  let gammaValues = gamma?.scalars
  let (y, mean, variance, inverseStd) = BatchNormKernel.normalize(
    input, layout, gamma: gammaValues, beta: beta?.scalars, epsilon: epsilon)
  let inputs = [x] + [gamma, beta].compactMap { $0 }
  // The backward pass is fused by hand. Composed from engine ops (mean, subtract, square,
  // mean, sqrt, divide, multiply, add) it would store about ten activation-sized
  // intermediates and run as many broadcast reductions; the closed form
  //   dx = γ/σ̂ · (g − Σg/M − x̂·Σ(g·x̂)/M),  x̂ = (x − μ)/σ̂,  σ̂ = √(σ² + ε),  M = N·H·W
  // needs one pass for the two per-channel sums and one to write dx. It is tested against
  // the composed version in BatchNormTests.
  let output = y.recorded(inputs: inputs) { g in
    let (sums, dots) = BatchNormKernel.gradientSums(g, input, layout, mean: mean)
    let count = Double(layout.perChannel)
    var gradients: [Tensor?] = []
    if x.isTrackedInput {
      var a = [Float](repeating: 0, count: layout.channels)
      var b = a
      var k = a
      for c in 0..<layout.channels {
        let invStd = Double(inverseStd[c])
        let scale = Double(gammaValues?[c] ?? 1) * invStd
        let slope = -scale * invStd * invStd * dots[c] / count
        a[c] = Float(scale)
        b[c] = Float(slope)
        k[c] = Float(-scale * sums[c] / count - slope * Double(mean[c]))
      }
      gradients.append(BatchNormKernel.combine(g, a: a, input, b: b, k: k, layout))
    } else {
      gradients.append(nil)
    }
    if gamma != nil {
      gradients.append(Tensor((0..<layout.channels).map { Float(dots[$0] * Double(inverseStd[$0])) }))
    }
    if beta != nil { gradients.append(Tensor(sums.map { Float($0) })) }
    return gradients
  }
  return (output, Tensor(mean), Tensor(variance))
}

/// Batch normalisation with given (running) statistics (evaluation mode):
/// `y = (x − mean)/√(variance + ε)·γ + β`, differentiable in every tensor argument.
///
/// Shapes: `x` `[N, C]` or `[N, C, H, W]`; `mean`, `variance`, `gamma`, `beta` `[C]`.
/// - Complexity: one pass over `x` forward, two backward.
public func batchNorm(
  _ x: Tensor, mean: Tensor, variance: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float
) -> Tensor {
  let layout = ChannelLayout(x.shape, operation: "batchNorm")
  for (parameter, name) in [(mean, "mean"), (variance, "variance")] {
    layout.check(parameter, name, operation: "batchNorm")
  }
  layout.check(gamma, "gamma", operation: "batchNorm")
  layout.check(beta, "beta", operation: "batchNorm")
  let input = x.detached()
  let mu = mean.scalars
  let sigma2 = variance.scalars
  let gammaValues = gamma?.scalars
  let betaValues = beta?.scalars
  let inverseStd = sigma2.map { 1 / ($0 + epsilon).squareRoot() }
  let scale = (0..<layout.channels).map { (gammaValues?[$0] ?? 1) * inverseStd[$0] }
  let shift = (0..<layout.channels).map { (betaValues?[$0] ?? 0) - mu[$0] * scale[$0] }
  let y = BatchNormKernel.affine(input, layout, scale: scale, shift: shift)
  let inputs = [x, mean, variance] + [gamma, beta].compactMap { $0 }
  return y.recorded(inputs: inputs) { g in
    let zeros = [Float](repeating: 0, count: layout.channels)
    let gx = x.isTrackedInput ? BatchNormKernel.combine(g, a: scale, input, b: zeros, k: zeros, layout) : nil
    let needsSums = mean.isTrackedInput || variance.isTrackedInput || gamma != nil || beta != nil
    guard needsSums else { return [gx, nil, nil] }
    let (sums, dots) = BatchNormKernel.gradientSums(g, input, layout, mean: mu)
    let channels = 0..<layout.channels
    // y = (x − μ)·s + β with s = γ·(σ² + ε)^(−1/2): dμ = −s·Σg, dσ² = −½·γ·(σ² + ε)^(−3/2)·Σg(x − μ).
    let gm = Tensor(channels.map { -scale[$0] * Float(sums[$0]) })
    let gv = Tensor(
      channels.map {
        let inv = Double(inverseStd[$0])
        return Float(-0.5 * Double(gammaValues?[$0] ?? 1) * inv * inv * inv * dots[$0])
      })
    var gradients: [Tensor?] = [gx, gm, gv]
    if gamma != nil { gradients.append(Tensor(channels.map { Float(dots[$0] * Double(inverseStd[$0])) })) }
    if beta != nil { gradients.append(Tensor(sums.map { Float($0) })) }
    return gradients
  }
}
