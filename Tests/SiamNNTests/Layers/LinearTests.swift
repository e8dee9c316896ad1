import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func linearInitialisationIsPyTorchsKaimingUniformAndKeyed() {
  let layer = Linear(16, 8, key: RandomKey(seed: 1))
  #expect(layer.weight.shape == [8, 16] && layer.bias!.shape == [8])
  let bound: Float = 1 / 4  // 1/√16
  #expect(layer.weight.scalars.allSatisfy { abs($0) <= bound })
  #expect(layer.bias!.scalars.allSatisfy { abs($0) <= bound })
  #expect(layer.weight.scalars.map { abs($0) }.max()! > 0.8 * bound, "uses the full range")
  #expect(Linear(16, 8, key: RandomKey(seed: 1)).weight.isBitIdentical(to: layer.weight))
  #expect(!Linear(16, 8, key: RandomKey(seed: 2)).weight.isBitIdentical(to: layer.weight))
  #expect(Linear(16, 8, hasBias: false, key: RandomKey(seed: 1)).tensorKeys() == ["weight"])
}

@Test func linearComputesXWTransposedPlusBias() {
  let layer = Linear(2, 3, key: RandomKey(seed: 1))
  layer.setTensor(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]), forKey: "weight")
  layer.setTensor(Tensor([0.5, -0.5, 1]), forKey: "bias")
  let y = layer(Tensor(shape: [2, 2], scalars: [1, 1, 2, -1]))
  expectClose(y, Tensor(shape: [2, 3], scalars: [3.5, 6.5, 12, 0.5, 1.5, 5]))
}

@Test func linearAndSequentialGradientsMatchCentralDifferences() {
  let layer = Linear(3, 2, key: RandomKey(seed: 5))
  GradientCheck.check("Linear", at: [makeTestTensor([4, 3], seed: 6)] + layer.namedParameters().map(\.tensor)) { xs in
    layer.assignTensors(Array(xs[1...]), kind: .parameter)
    return layer(xs[0])
  }
  let model = Sequential([
    Linear(3, 5, key: RandomKey(seed: 7)), ReLU(), Linear(5, 2, hasBias: false, key: RandomKey(seed: 8)),
  ])
  let x = makeTestTensor([4, 3], seed: 9)
  GradientCheck.check("Sequential", at: [x] + model.namedParameters().map(\.tensor)) { xs in
    model.assignTensors(Array(xs[1...]), kind: .parameter)
    return model(xs[0])
  }
}
