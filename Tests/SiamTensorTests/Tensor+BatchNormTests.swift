import SiamTensor
import Testing
import _SiamTestSupport

/// Batch normalisation composed from engine ops (mean, subtract, square, sqrt, divide,
/// multiply, add): the slow, obviously right version the fused kernels are checked against.
private func composedBatchNorm(_ x: Tensor, gamma: Tensor?, beta: Tensor?, epsilon: Float) -> Tensor {
  let axes = x.rank == 2 ? [0] : [0, 2, 3]
  let channelShape = x.rank == 2 ? [1, x.shape[1]] : [1, x.shape[1], 1, 1]
  let mean = x.mean(alongAxes: axes, keepingDimensions: true)
  let centered = x - mean
  let variance = centered.squared().mean(alongAxes: axes, keepingDimensions: true)
  var y = centered / sqrt(variance + epsilon)
  if let gamma { y = y * gamma.reshaped(to: channelShape) }
  if let beta { y = y + beta.reshaped(to: channelShape) }
  return y
}

@Suite struct BatchNormTests {
  static let shapes: [[Int]] = [[16, 5], [3, 4, 5, 7], [8, 3, 4, 4], [2, 2, 1, 9]]

  @Test(arguments: shapes)
  func fusedBackwardMatchesComposed(_ shape: [Int]) {
    let c = shape[1]
    let x = makeTestTensor(shape, seed: 1, lower: -2, upper: 3)
    let gamma = makeTestTensor([c], seed: 2, lower: 0.5, upper: 1.5)
    let beta = makeTestTensor([c], seed: 3)
    let upstream = makeTestTensor(shape, seed: 4)
    let fused = valueAndGradient(at: [x, gamma, beta]) { v in
      (batchNorm(v[0], gamma: v[1], beta: v[2], epsilon: 1e-5).output * upstream).sum()
    }
    let composed = valueAndGradient(at: [x, gamma, beta]) { v in
      (composedBatchNorm(v[0], gamma: v[1], beta: v[2], epsilon: 1e-5) * upstream).sum()
    }
    expectClose(fused.value, composed.value, absolute: 1e-4, relative: 1e-4, "value \(shape)")
    for (i, name) in ["dx", "dgamma", "dbeta"].enumerated() {
      expectClose(fused.gradients[i], composed.gradients[i], absolute: 1e-4, relative: 1e-3, "\(name) \(shape)")
    }
    // Without γ and β the input gradient must still agree.
    let plain = valueAndGradient(at: [x]) { v in
      (batchNorm(v[0], gamma: nil, beta: nil, epsilon: 1e-5).output * upstream).sum()
    }
    let plainComposed = valueAndGradient(at: [x]) { v in
      (composedBatchNorm(v[0], gamma: nil, beta: nil, epsilon: 1e-5) * upstream).sum()
    }
    expectClose(
      plain.gradients[0], plainComposed.gradients[0], absolute: 1e-4, relative: 1e-3, "dx without γ, β \(shape)")
  }

  @Test(arguments: shapes)
  func batchStatisticsAreMeanAndBiasedVariance(_ shape: [Int]) {
    let x = makeTestTensor(shape, seed: 5, lower: 1, upper: 4)
    let (output, mean, variance) = batchNorm(x, gamma: nil, beta: nil, epsilon: 0)
    let axes = shape.count == 2 ? [0] : [0, 2, 3]
    let expectedMean = x.mean(alongAxes: axes)
    let expectedVariance = (x - x.mean(alongAxes: axes, keepingDimensions: true)).squared().mean(alongAxes: axes)
    expectClose(mean, expectedMean, absolute: 1e-5, relative: 1e-5)
    expectClose(variance, expectedVariance, absolute: 1e-5, relative: 1e-4)
    expectClose(output, composedBatchNorm(x, gamma: nil, beta: nil, epsilon: 0), absolute: 1e-4, relative: 1e-4)
    #expect(!mean.isTracked && !variance.isTracked)
  }

  @Test func inferenceUsesGivenStatistics() {
    let x = makeTestTensor([4, 3, 2, 2], seed: 6)
    let mean = Tensor([0.5, -1, 2])
    let variance = Tensor([4, 0.25, 1])
    let gamma = Tensor([2, 1, -1])
    let beta = Tensor([0, 1, 0.5])
    let y = batchNorm(x, mean: mean, variance: variance, gamma: gamma, beta: beta, epsilon: 0)
    let expected =
      (x - mean.reshaped(to: [1, 3, 1, 1])) / sqrt(variance.reshaped(to: [1, 3, 1, 1]))
      * gamma.reshaped(to: [1, 3, 1, 1]) + beta.reshaped(to: [1, 3, 1, 1])
    expectClose(y, expected, absolute: 1e-6, relative: 1e-6)
  }
}
