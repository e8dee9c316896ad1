import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func batchNorm1dUpdatesRunningStatisticsWithTheUnbiasedVariance() {
  let bn = BatchNorm1d(2)
  #expect(bn.tensorKeys() == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
  #expect(bn.tensorKeys(kind: .buffer) == ["running_mean", "running_var", "num_batches_tracked"])
  // Channel 0: 1, 2, 3, 4 (mean 2.5, biased variance 1.25, unbiased 5/3);
  // channel 1: 0, 0, 0, 8 (mean 2, biased variance 12, unbiased 16).
  let x = Tensor(shape: [4, 2], scalars: [1, 0, 2, 0, 3, 0, 4, 8])
  let y = bn(x)
  let d0 = Float(1.25 + 1e-5).squareRoot()
  let d1 = Float(12 + 1e-5).squareRoot()
  expectClose(
    y, Tensor(shape: [4, 2], scalars: [-1.5 / d0, -2 / d1, -0.5 / d0, -2 / d1, 0.5 / d0, -2 / d1, 1.5 / d0, 6 / d1]))
  // running = 0.9·running + 0.1·batch: mean [0.25, 0.2], var [0.9 + 0.1·5/3, 0.9 + 1.6].
  expectClose(bn.runningMean, Tensor([0.25, 0.2]))
  expectClose(bn.runningVariance, Tensor([0.9 + 0.1 * 5 / 3, 2.5]))
  #expect(bn.batchesTracked == 1)
  _ = bn(x)
  expectClose(bn.runningMean, Tensor([0.25 * 0.9 + 0.25, 0.2 * 0.9 + 0.2]))
  expectClose(bn.runningVariance, Tensor([(0.9 + 0.1 * 5 / 3) * 0.9 + 0.1 * 5 / 3, 2.5 * 0.9 + 1.6]))
  #expect(bn.batchesTracked == 2)
}

@Test func batchNormInEvaluationModeUsesRunningStatisticsAndLeavesThem() {
  let bn = BatchNorm2d(1)
  bn.setTensor(Tensor([0.5]), forKey: "running_mean")
  bn.setTensor(Tensor([4]), forKey: "running_var")
  bn.setTensor(Tensor([2]), forKey: "weight")
  bn.setTensor(Tensor([1]), forKey: "bias")
  bn.eval()
  let x = Tensor(shape: [1, 1, 2, 2], scalars: [0.5, 2.5, -1.5, 4.5])
  let scale = 2 / Float(4 + 1e-5).squareRoot()
  expectClose(bn(x), Tensor(shape: [1, 1, 2, 2], scalars: [1, 1 + 2 * scale, 1 - 2 * scale, 1 + 4 * scale]))
  expectClose(bn.runningMean, Tensor([0.5]))
  #expect(bn.batchesTracked == 0)
}

@Test func batchNorm2dCountsEveryPixelOfTheBatch() {
  let bn = BatchNorm2d(2, momentum: 0.5)
  // Channel 0 over N·H·W = 8 values 0…7: mean 3.5, biased variance 5.25, unbiased 6.
  // Channel 1 all 1: variance 0.
  let values: [Float] = (0..<4).map(Float.init) + [1, 1, 1, 1] + (4..<8).map(Float.init) + [1, 1, 1, 1]
  _ = bn(Tensor(shape: [2, 2, 2, 2], scalars: values))
  expectClose(bn.runningMean, Tensor([1.75, 0.5]))
  expectClose(bn.runningVariance, Tensor([3.5, 0.5]))
}

@Test func batchNormWithoutAffineHasOnlyBuffers() {
  let bn = BatchNorm1d(3, isAffine: false)
  #expect(bn.tensorKeys(kind: .parameter).isEmpty && bn.weight == nil)
  let y = bn(makeTestTensor([5, 3], seed: 1))
  expectClose(y.mean(alongAxis: 0), Tensor(zeros: [3]), absolute: 1e-5)
}
