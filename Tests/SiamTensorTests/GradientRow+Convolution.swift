import SiamTensor
import _SiamTestSupport

private func t(_ shape: [Int], _ seed: UInt64, _ lower: Float = -1, _ upper: Float = 1) -> Tensor {
  makeTestTensor(shape, seed: seed, lower: lower, upper: upper)
}

/// A tensor whose elements are a shuffled ramp (distinct, at least `spacing` apart), so
/// that a central difference never swaps the maximum of a pooling window.
private func distinct(_ shape: [Int], _ seed: UInt64, spacing: Float = 0.05) -> Tensor {
  let count = shape.reduce(1, *)
  let order = makeTestTensor([count], seed: seed).scalars.enumerated().sorted { $0.element < $1.element }.map(\.offset)
  var values = [Float](repeating: 0, count: count)
  for (rank, index) in order.enumerated() { values[index] = (Float(rank) - Float(count) / 2) * spacing }
  return Tensor(shape: shape, scalars: values)
}

extension GradientRow {
  /// Convolution, pooling and batch normalisation (Ops/Tensor+Conv2d, +Pooling, +BatchNorm).
  static let convolution: [GradientRow] = [
    .init(name: "conv2d 3×3 s1 p1 bias", inputs: [t([2, 2, 4, 5], 100), t([3, 2, 3, 3], 101), t([3], 102)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
    },
    .init(name: "conv2d 3×3 s2 p1 no bias", inputs: [t([1, 2, 5, 6], 103), t([2, 2, 3, 3], 104)]) {
      conv2d($0[0], weight: $0[1], stride: 2, padding: 1)
    },
    .init(name: "conv2d 1×1 s1 p0 bias", inputs: [t([2, 3, 3, 4], 105), t([4, 3, 1, 1], 106), t([4], 107)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2])
    },
    .init(name: "conv2d 3×3 s2 p0 non-square image", inputs: [t([1, 1, 7, 5], 108), t([2, 1, 3, 3], 109)]) {
      conv2d($0[0], weight: $0[1], stride: 2, padding: 0)
    },
    .init(name: "conv2d 2×3 kernel s1 p1", inputs: [t([1, 2, 4, 4], 110), t([2, 2, 2, 3], 111), t([2], 112)]) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
    },
    .init(name: "conv2d 1×1 s2 p0", inputs: [t([2, 2, 5, 5], 113), t([3, 2, 1, 1], 114)]) {
      conv2d($0[0], weight: $0[1], stride: 2)
    },
    // Channels and filters multiples of 8: Siam's direct nChw8c kernels where the CPU has AVX2 + FMA.
    .init(
      name: "conv2d 8→8 3×3 s1 p1 bias (direct)", inputs: [t([2, 8, 4, 5], 115), t([8, 8, 3, 3], 116), t([8], 117)]
    ) {
      conv2d($0[0], weight: $0[1], bias: $0[2], stride: 1, padding: 1)
    },
    .init(name: "conv2d 8→16 3×3 s2 p1 odd (direct)", inputs: [t([1, 8, 5, 7], 118), t([16, 8, 3, 3], 119)]) {
      conv2d($0[0], weight: $0[1], stride: 2, padding: 1)
    },
    .init(name: "maxPool2d 2 s2", inputs: [distinct([1, 2, 4, 6], 120)]) { maxPool2d($0[0], kernelSize: 2, stride: 2) },
    .init(name: "maxPool2d 3 s2 p1 odd", inputs: [distinct([2, 1, 5, 7], 121)]) {
      maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1)
    },
    .init(name: "maxPool2d 3 s1 overlapping", inputs: [distinct([1, 1, 4, 5], 122)]) {
      maxPool2d($0[0], kernelSize: 3, stride: 1)
    },
    .init(name: "avgPool2d 3 s2 p1 odd", inputs: [t([1, 2, 5, 7], 123)]) {
      avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1)
    },
    .init(name: "avgPool2d 2 s2 drops edge", inputs: [t([2, 1, 4, 5], 124)]) {
      avgPool2d($0[0], kernelSize: 2, stride: 2)
    },
    .init(name: "globalAveragePool", inputs: [t([2, 3, 3, 5], 125)]) { globalAveragePool($0[0]) },
    .init(name: "adaptiveAvgPool2d 7→2 overlapping", inputs: [t([2, 3, 7, 7], 126)]) {
      adaptiveAvgPool2d($0[0], outputSize: 2)
    },
    .init(name: "adaptiveAvgPool2d 4×5→3", inputs: [t([1, 2, 4, 5], 127)]) { adaptiveAvgPool2d($0[0], outputSize: 3) },
    .init(name: "batchNorm 2-D γ β", inputs: [t([4, 3], 130), t([3], 131, 0.5, 1.5), t([3], 132)]) {
      batchNorm($0[0], gamma: $0[1], beta: $0[2], epsilon: 1e-5).output
    },
    .init(name: "batchNorm 2-D plain", inputs: [t([5, 2], 133)]) {
      batchNorm($0[0], gamma: nil, beta: nil, epsilon: 1e-5).output
    },
    .init(name: "batchNorm 4-D γ β", inputs: [t([2, 3, 2, 3], 134), t([3], 135, 0.5, 1.5), t([3], 136)]) {
      batchNorm($0[0], gamma: $0[1], beta: $0[2], epsilon: 1e-5).output
    },
    .init(name: "batchNorm 4-D γ only, odd plane", inputs: [t([3, 2, 3, 3], 137), t([2], 138, 0.5, 1.5)]) {
      batchNorm($0[0], gamma: $0[1], beta: nil, epsilon: 1e-3).output
    },
    .init(
      name: "batchNorm inference 4-D",
      inputs: [t([2, 3, 2, 2], 140), t([3], 141), t([3], 142, 0.5, 2), t([3], 143, 0.5, 1.5), t([3], 144)]
    ) {
      batchNorm($0[0], mean: $0[1], variance: $0[2], gamma: $0[3], beta: $0[4], epsilon: 1e-5)
    },
    .init(name: "batchNorm inference 2-D plain", inputs: [t([3, 4], 145), t([4], 146), t([4], 147, 0.5, 2)]) {
      batchNorm($0[0], mean: $0[1], variance: $0[2], gamma: nil, beta: nil, epsilon: 1e-5)
    },
    .init(
      name: "conv → batchNorm → relu → globalAveragePool",
      inputs: [t([3, 2, 4, 4], 150), t([3, 2, 3, 3], 151), t([3], 152, 0.5, 1.5), t([3], 153)]
    ) {
      let y = conv2d($0[0], weight: $0[1], stride: 1, padding: 1)
      return globalAveragePool(relu(batchNorm(y, gamma: $0[2], beta: $0[3], epsilon: 1e-5).output))
    },
  ]
}
