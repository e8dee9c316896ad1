import SiamTensor
import Testing
import _SiamTestSupport

@Suite struct PoolingTests {
  // 1×1×3×4 input:
  //   1  2  3  4
  //   5  6  7  8
  //   9 10 11 12
  let x = Tensor(shape: [1, 1, 3, 4], scalars: (1...12).map(Float.init))

  @Test func maxPoolValuesAndPaddingAsNegativeInfinity() {
    #expect(maxPool2d(x, kernelSize: 2, stride: 2).scalars == [6, 8])
    // Padding 1 never wins, even against negative inputs.
    #expect(maxPool2d(-x, kernelSize: 3, stride: 2, padding: 1).scalars == [-1, -2, -5, -6])
    #expect(maxPool2d(x, kernelSize: 3, stride: 2, padding: 1).shape == [1, 1, 2, 2])
  }

  @Test func maxPoolGradientGoesToTheFirstMaximum() {
    let ties = Tensor(shape: [1, 1, 2, 2], scalars: [3, 3, 3, 1])
    let (_, grads) = valueAndGradient(at: [ties]) { maxPool2d($0[0], kernelSize: 2, stride: 2).sum() }
    #expect(grads[0].scalars == [1, 0, 0, 0])
  }

  @Test func avgPoolCountsPaddingAsZeros() {
    // count_include_pad = True: the corner window holds 1, 2, 5, 6 and five zeros.
    let y = avgPool2d(x, kernelSize: 3, stride: 2, padding: 1)
    expectClose(y, Tensor(shape: [1, 1, 2, 2], scalars: [14.0 / 9, 30.0 / 9, 30.0 / 9, 54.0 / 9]))
    expectClose(avgPool2d(x, kernelSize: 2, stride: 2), Tensor(shape: [1, 1, 1, 2], scalars: [3.5, 5.5]))
  }

  @Test func globalAveragePoolIsThePlaneMean() {
    let y = globalAveragePool(Tensor(shape: [2, 1, 2, 2], scalars: [1, 2, 3, 4, -4, 0, 0, 0]))
    #expect(y.shape == [2, 1])
    #expect(y.scalars == [2.5, -1])
  }

  @Test func adaptiveAvgPoolUsesPyTorchBins() {
    // 3×4 → 2×2: rows ⌊i·3/2⌋..<⌈(i+1)·3/2⌉ = 0..<2, 1..<3 (overlapping); columns 0..<2, 2..<4.
    let y = adaptiveAvgPool2d(x, outputSize: 2)
    #expect(y.shape == [1, 1, 2, 2])
    expectClose(y, Tensor(shape: [1, 1, 2, 2], scalars: [3.5, 5.5, 7.5, 9.5]))
    // 7 → 2 covers rows 0..<4 and 3..<7, the windows of a 4-wide, stride-3 average pool.
    let big = Tensor(shape: [2, 3, 7, 7], scalars: (0..<294).map { Float(($0 * 37) % 101) / 10 })
    expectClose(adaptiveAvgPool2d(big, outputSize: 2), avgPool2d(big, kernelSize: 4, stride: 3))
    // A 1×1 grid is the global average; a grid finer than the input repeats cells.
    #expect(adaptiveAvgPool2d(x, outputSize: 1).scalars == globalAveragePool(x).scalars)
    #expect(adaptiveAvgPool2d(Tensor(shape: [1, 1, 1, 2], scalars: [1, 3]), outputSize: 2).scalars == [1, 3, 1, 3])
  }
}
