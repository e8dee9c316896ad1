import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func defaultConvNetHasPyTorchSequentialKeysAndShapes() {
  let net = ConvNet(inputChannels: 1, key: RandomKey(seed: 1))
  #expect(net.outputFeatures == 512, "128 channels × a 2×2 pooling grid")
  #expect(net(Tensor(zeros: [3, 1, 28, 28])).shape == [3, 512])
  let bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
  #expect(
    net.tensorKeys() == ["0.weight"] + bn.map { "1." + $0 } + ["3.weight"] + bn.map { "4." + $0 }
      + ["6.weight"] + bn.map { "7." + $0 })
  let shapes = Dictionary(uniqueKeysWithValues: net.namedTensors().map { ($0.key, $0.tensor.shape) })
  #expect(shapes["0.weight"] == [32, 1, 3, 3])
  #expect(shapes["3.weight"] == [64, 32, 3, 3])
  #expect(shapes["6.weight"] == [128, 64, 3, 3])
  #expect(shapes["7.running_var"] == [128] && shapes["7.num_batches_tracked"] == [])
  // 288 + 18,432 + 73,728 convolution weights, 2·(32 + 64 + 128) BatchNorm parameters.
  #expect(net.parameterCount == 92_896)
  let strides = net.layers.compactMap { ($0 as? Conv2d)?.stride }
  #expect(strides == [1, 2, 2])
}

@Test func convNetWidthsAndStridesAreConfigurable() {
  let net = ConvNet(inputChannels: 3, widths: [8, 16], strides: [2, 1], key: RandomKey(seed: 1))
  #expect(net.outputFeatures == 64, "16 channels × the default 2×2 pooling grid")
  #expect(net.tensor(forKey: "0.weight")!.shape == [8, 3, 3, 3])
  #expect(net.tensor(forKey: "3.weight")!.shape == [16, 8, 3, 3])
  #expect(net.layers.compactMap { ($0 as? Conv2d)?.stride } == [2, 1])
  let biases = net.layers.compactMap { ($0 as? Conv2d)?.bias }
  #expect(biases.isEmpty, "convolutions before BN have no bias")
}

@Test func convNetPoolGridKeepsWhereFeaturesFired() {
  let net = ConvNet(inputChannels: 1, widths: [4, 6], strides: [1, 2], pool: 2, key: RandomKey(seed: 3))
  #expect(net.outputFeatures == 24)
  let global = ConvNet(inputChannels: 1, widths: [4, 6], strides: [1, 2], pool: 1, key: RandomKey(seed: 3))
  #expect(net.tensorKeys() == global.tensorKeys(), "pooling has no tensors; the keys are the global-pool net's")
  let x = Tensor(shape: [2, 1, 14, 14], scalars: (0..<392).map { Float(($0 * 29) % 17) / 8 - 1 })
  let y = net(x)
  #expect(y.shape == [2, 24])
  // The features are the last feature map's quadrant means, channel-major (c·4 + i·2 + j).
  let map = net.layers.dropLast(2).reduce(x) { $1($0) }
  #expect(map.shape == [2, 6, 7, 7])
  expectClose(y, adaptiveAvgPool2d(map, outputSize: 2).reshaped(to: [2, 24]))
  let upperLeft = (0..<4).flatMap { r in (0..<4).map { c in map.scalars[r * 7 + c] } }
  #expect(abs(y.scalars[0] - upperLeft.reduce(0, +) / 16) < 1e-5)
  let globalPool = EncoderConfiguration.convnet(pool: 1).makeEncoder(inputShape: [1, 28, 28], key: RandomKey(seed: 1))
  #expect(globalPool.outputFeatures == 128 && globalPool(Tensor(zeros: [2, 1, 28, 28])).shape == [2, 128])
}

/// The convnet runs as one fused stack when its widths are multiples of 8: the same
/// features, gradients and running statistics as its layers applied one by one.
@Test func fusedConvNetMatchesItsLayersOneByOne() {
  let fused = ConvNet(inputChannels: 1, widths: [8, 16], strides: [1, 2], pool: 2, key: RandomKey(seed: 5))
  let layered = ConvNet(inputChannels: 1, widths: [8, 16], strides: [1, 2], pool: 2, key: RandomKey(seed: 5))
  let x = makeTestTensor([18, 1, 10, 10], seed: 6)
  let (lossA, gradientsA) = valueAndGradient(of: fused) { ($0(x) * $0(x)).sum() }
  let (lossB, gradientsB) = valueAndGradient(of: layered) { net in
    let y = net.layers.reduce(x) { $1($0) }
    let z = net.layers.reduce(x) { $1($0) }
    return (y * z).sum()
  }
  expectClose(lossA, lossB, absolute: 1e-3, relative: 1e-4)
  for key in gradientsB.keys.sorted() {
    expectClose(gradientsA[key]!, gradientsB[key]!, absolute: 1e-3, relative: 1e-3, key)
  }
  for key in ["1.running_mean", "1.running_var", "4.running_mean", "4.running_var", "4.num_batches_tracked"] {
    expectClose(fused.tensor(forKey: key)!, layered.tensor(forKey: key)!, absolute: 1e-5, relative: 1e-4, key)
  }
  #expect(fused.tensor(forKey: "1.num_batches_tracked")!.scalar == 2)
  fused.eval()
  layered.eval()
  expectClose(fused(x), layered.layers.reduce(x) { $1($0) }, absolute: 1e-4, relative: 1e-3, "evaluation mode")
}
