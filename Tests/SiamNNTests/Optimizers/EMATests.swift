import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func emaAveragesParametersAndCopiesBuffers() {
  let online = Sequential([Linear(2, 2, key: RandomKey(seed: 1)), BatchNorm1d(2)])
  let target = Sequential([Linear(2, 2, key: RandomKey(seed: 2)), BatchNorm1d(2)])
  online.setTensor(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), forKey: "0.weight")
  target.setTensor(Tensor(shape: [2, 2], scalars: [0, 0, 1, 1]), forKey: "0.weight")
  online.setTensor(Tensor([0.5, -0.5]), forKey: "1.running_mean")
  EMA.update(target: target, online: online, momentum: 0.9)
  // 0.9·target + 0.1·online.
  expectClose(target.tensor(forKey: "0.weight")!, Tensor(shape: [2, 2], scalars: [0.1, 0.2, 1.2, 1.3]))
  expectClose(target.tensor(forKey: "1.running_mean")!, Tensor([0.5, -0.5]))
  EMA.update(target: target, online: online, momentum: 0.5)
  expectClose(target.tensor(forKey: "0.weight")!, Tensor(shape: [2, 2], scalars: [0.55, 1.1, 2.1, 2.65]))
  let bias = online.tensor(forKey: "0.bias")!
  EMA.update(target: target, online: online, momentum: 0)
  #expect(target.tensor(forKey: "0.bias")!.isBitIdentical(to: bias))
}

@Test func byolCosineMomentumSchedule() {
  // τ_k = 1 − (1 − 0.99)·(cos(πk/100) + 1)/2.
  let values = [0, 25, 50, 100].map { Double(EMA.cosineMomentum(base: 0.99, step: $0, totalSteps: 100)) }
  expectClose(values, [0.99, 1 - 0.01 * (0.5.squareRoot() + 1) / 2, 0.995, 1], absolute: 1e-7, relative: 1e-7)
}
