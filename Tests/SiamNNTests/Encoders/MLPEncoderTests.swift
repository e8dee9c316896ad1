import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func mlpEncoderFlattensAndAppliesLinearReluLayers() {
  let net = MLPEncoder(inputFeatures: 12, widths: [8, 4], key: RandomKey(seed: 1))
  #expect(net.outputFeatures == 4)
  #expect(net.tensorKeys() == ["0.weight", "0.bias", "2.weight", "2.bias"])
  let x = makeTestTensor([2, 3, 2, 2], seed: 2)
  let y = net(x)
  #expect(y.shape == [2, 4])
  #expect(y.scalars.allSatisfy { $0 >= 0 })
  let first = net.layers[0] as! Linear
  let second = net.layers[2] as! Linear
  expectClose(y, relu(second(relu(first(x.flattened())))))
  let withBatchNorm = MLPEncoder(inputFeatures: 12, widths: [8], hasBatchNorm: true, key: RandomKey(seed: 1))
  #expect(withBatchNorm.tensorKeys(kind: .parameter) == ["0.weight", "1.weight", "1.bias"])
}

@Test func encoderConfigurationBuildsEachEncoder() {
  let shape = [1, 16, 16]
  #expect(
    EncoderConfiguration.mlp(widths: [32, 16]).makeEncoder(inputShape: shape, key: RandomKey(seed: 1)).outputFeatures
      == 16)
  #expect(EncoderConfiguration.convnet().makeEncoder(inputShape: shape, key: RandomKey(seed: 1)).outputFeatures == 512)
  let resnet = EncoderConfiguration.resnet18(stem: .cifar).makeEncoder(
    inputShape: [3, 32, 32], key: RandomKey(seed: 1))
  #expect(resnet is ResNet && resnet.outputFeatures == 512)
}
