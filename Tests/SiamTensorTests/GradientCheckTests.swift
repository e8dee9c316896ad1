import SiamTensor
import Testing
import _SiamTestSupport

/// The one table-driven gradient check over every differentiable op.
@Test(arguments: GradientRow.all)
func gradientMatchesCentralDifferences(_ row: GradientRow) {
  GradientCheck.check(
    row.name, at: row.inputs, differentiable: row.differentiable, step: row.step,
    absolute: row.absolute, relative: row.relative, of: row.function)
}

private func t(_ shape: [Int], _ seed: UInt64, _ lower: Float = -1, _ upper: Float = 1, margin: Float = 0) -> Tensor {
  makeTestTensor(shape, seed: seed, lower: lower, upper: upper, awayFromZero: margin)
}

extension GradientRow {
  static let elementwise: [GradientRow] = [
    .init(name: "add", inputs: [t([3, 4], 1), t([3, 4], 2)]) { $0[0] + $0[1] },
    .init(name: "add broadcast row", inputs: [t([3, 4], 1), t([4], 2)]) { $0[0] + $0[1] },
    .init(name: "add broadcast NCHW channel", inputs: [t([2, 3, 2, 2], 1), t([1, 3, 1, 1], 2)]) { $0[0] + $0[1] },
    .init(name: "subtract broadcast column", inputs: [t([3, 4], 3), t([3, 1], 4)]) { $0[0] - $0[1] },
    .init(name: "multiply broadcast both", inputs: [t([3, 1], 5), t([1, 4], 6)]) { $0[0] * $0[1] },
    .init(name: "divide", inputs: [t([3, 4], 7), t([3, 4], 8, 0.5, 2)]) { $0[0] / $0[1] },
    .init(name: "divide broadcast scalar", inputs: [t([3, 4], 7), t([], 8, 0.5, 2)]) { $0[0] / $0[1] },
    .init(name: "affine", inputs: [t([5], 9)]) { $0[0] * 3 - 2 },
    .init(name: "negate and scalar divide", inputs: [t([5], 10)]) { 1 - (-$0[0]) / 4 },
    .init(name: "exp", inputs: [t([2, 3], 11)]) { exp($0[0]) },
    .init(name: "log", inputs: [t([2, 3], 12, 0.2, 2)]) { log($0[0]) },
    .init(name: "sqrt", inputs: [t([2, 3], 13, 0.2, 2)]) { sqrt($0[0]) },
    .init(name: "pow 3", inputs: [t([2, 3], 14)]) { pow($0[0], 3) },
    .init(name: "pow -0.5", inputs: [t([2, 3], 15, 0.3, 2)]) { pow($0[0], -0.5) },
    .init(name: "abs", inputs: [t([2, 3], 16, margin: 0.05)]) { abs($0[0]) },
    .init(name: "relu", inputs: [t([2, 3], 17, margin: 0.05)]) { relu($0[0]) },
    .init(name: "maximum", inputs: [t([3, 4], 18), t([4], 19)]) { maximum($0[0], $0[1]) },
    .init(name: "clamped(min:)", inputs: [t([3, 4], 20, margin: 0.05)]) { $0[0].clamped(min: 0) },
    .init(name: "detached blocks gradient", inputs: [t([3], 21), t([3], 22)], differentiable: [1]) {
      $0[0].detached() * $0[1]
    },
  ]

  static let reductions: [GradientRow] = [
    .init(name: "sum all", inputs: [t([2, 3, 4], 30)]) { $0[0].sum() },
    .init(name: "sum axes 0,2", inputs: [t([2, 3, 4], 31)]) { $0[0].sum(alongAxes: [0, 2]) },
    .init(name: "sum axis -1 kept", inputs: [t([2, 3, 4], 32)]) { $0[0].sum(alongAxis: -1, keepingDimensions: true) },
    .init(name: "mean axis 1", inputs: [t([2, 3, 4], 33)]) { $0[0].mean(alongAxis: 1) },
    .init(name: "mean all", inputs: [t([2, 3], 34)]) { $0[0].mean() },
    .init(name: "max axis 1", inputs: [t([3, 5], 35)]) { $0[0].max(alongAxis: 1) },
    .init(name: "max axes 0,2 kept", inputs: [t([2, 3, 4], 36)]) {
      $0[0].max(alongAxes: [0, 2], keepingDimensions: true)
    },
    .init(name: "broadcasted(to:)", inputs: [t([3, 1], 37)]) { $0[0].broadcasted(to: [2, 3, 4]) },
  ]

  static let shapes: [GradientRow] = [
    .init(name: "reshaped", inputs: [t([2, 6], 40)]) { $0[0].reshaped(to: [3, -1]) * $0[0].reshaped(to: [3, 4]) },
    .init(name: "transposed 2-D", inputs: [t([2, 5], 41)]) { $0[0].transposed() },
    .init(name: "transposed NCHW→NHWC", inputs: [t([2, 3, 2, 4], 42)]) { $0[0].transposed(permutation: [0, 2, 3, 1]) },
    .init(name: "slice axis 1", inputs: [t([3, 6, 2], 43)]) { $0[0].slice(alongAxis: 1, 2..<5) },
    .init(name: "rows", inputs: [t([5, 3], 44)]) { $0[0][rows: 1..<4] },
    .init(name: "concatenated axis 0", inputs: [t([2, 3], 45), t([4, 3], 46)]) { concatenated($0, alongAxis: 0) },
    .init(name: "concatenated axis 1", inputs: [t([2, 3], 47), t([2, 1], 48), t([2, 2], 49)]) {
      concatenated($0, alongAxis: 1)
    },
  ]

  static let products: [GradientRow] = [
    .init(name: "matmul", inputs: [t([3, 4], 50), t([4, 5], 51)]) { matmul($0[0], $0[1]) },
    .init(name: "matmul Aᵀ", inputs: [t([4, 3], 52), t([4, 5], 53)]) { matmul($0[0], $0[1], transposeA: true) },
    .init(name: "matmul Bᵀ", inputs: [t([3, 4], 54), t([5, 4], 55)]) { matmul($0[0], $0[1], transposeB: true) },
    .init(name: "matmul AᵀBᵀ", inputs: [t([4, 3], 56), t([5, 4], 57)]) {
      matmul($0[0], $0[1], transposeA: true, transposeB: true)
    },
    .init(name: "linear with bias", inputs: [t([3, 4], 58), t([5, 4], 59), t([5], 60)]) {
      linear($0[0], weight: $0[1], bias: $0[2])
    },
    .init(name: "linear without bias", inputs: [t([3, 4], 61), t([2, 4], 62)]) { linear($0[0], weight: $0[1]) },
  ]

  static let composites: [GradientRow] = [
    .init(name: "logSumExp", inputs: [t([3, 5], 70, -3, 3)]) { logSumExp($0[0], alongAxis: 1) },
    .init(name: "softmax", inputs: [t([3, 5], 71, -3, 3)]) { softmax($0[0], alongAxis: 1) },
    .init(name: "logSoftmax axis 0", inputs: [t([4, 2], 72, -3, 3)]) { logSoftmax($0[0], alongAxis: 0) },
    .init(name: "crossEntropy", inputs: [t([4, 3], 73, -3, 3)]) { crossEntropy(logits: $0[0], labels: [0, 2, 1, 2]) },
    .init(name: "l2Normalized", inputs: [t([3, 4], 74)]) { l2Normalized($0[0], alongAxis: 1) },
  ]
}
