import SiamNN
import SiamTensor
import Testing

@Test func defaultConvNetHasPyTorchSequentialKeysAndShapes() {
  let net = ConvNet(inputChannels: 1, key: RandomKey(seed: 1))
  #expect(net.outputFeatures == 128)
  let bn = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
  #expect(net.tensorKeys() == ["0.weight"] + bn.map { "1." + $0 } + ["3.weight"] + bn.map { "4." + $0 }
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
  #expect(net.outputFeatures == 16)
  #expect(net.tensor(forKey: "0.weight")!.shape == [8, 3, 3, 3])
  #expect(net.tensor(forKey: "3.weight")!.shape == [16, 8, 3, 3])
  #expect(net.layers.compactMap { ($0 as? Conv2d)?.stride } == [2, 1])
  let biases = net.layers.compactMap { ($0 as? Conv2d)?.bias }
  #expect(biases.isEmpty, "convolutions before BN have no bias")
}
