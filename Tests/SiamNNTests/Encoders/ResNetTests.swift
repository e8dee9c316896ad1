import SiamNN
import SiamTensor
import Testing

@Test func resNet18CifarHasTorchvisionNamesAndParameterCount() {
  let net = ResNet(depth: .resnet18, stem: .cifar, key: RandomKey(seed: 1))
  #expect(net.outputFeatures == 512)
  let parameters = net.namedParameters()
  // torchvision resnet18 has 62 parameter tensors; the fc layer's 2 are removed.
  #expect(parameters.count == 60)
  #expect(net.namedBuffers().count == 60)  // 20 BatchNorms × 3
  // torchvision: 11,689,512 − fc (512·1000 + 1000) − stem difference (64·3·7·7 − 64·3·3·3).
  #expect(net.parameterCount == 11_689_512 - 513_000 - (9_408 - 1_728))
  #expect(net.parameterCount == 11_168_832)
  let keys = net.tensorKeys()
  #expect(
    Array(keys.prefix(7)) == [
      "conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
      "layer1.0.conv1.weight",
    ])
  #expect(keys.last == "layer4.1.bn2.num_batches_tracked")
  let shapes = Dictionary(uniqueKeysWithValues: net.namedTensors().map { ($0.key, $0.tensor.shape) })
  #expect(shapes["conv1.weight"] == [64, 3, 3, 3])
  #expect(shapes["layer1.0.conv2.weight"] == [64, 64, 3, 3])
  #expect(shapes["layer1.0.downsample.0.weight"] == nil)
  #expect(shapes["layer2.0.conv1.weight"] == [128, 64, 3, 3])
  #expect(shapes["layer2.0.downsample.0.weight"] == [128, 64, 1, 1])
  #expect(shapes["layer2.0.downsample.1.running_mean"] == [128])
  #expect(shapes["layer2.1.downsample.0.weight"] == nil)
  #expect(shapes["layer4.1.bn2.weight"] == [512])
  #expect(
    keys.filter { $0.contains("downsample.0.weight") } == [
      "layer2.0.downsample.0.weight", "layer3.0.downsample.0.weight", "layer4.0.downsample.0.weight",
    ])
}

@Test func resNet34ImageNetStemMatchesTorchvision() {
  // Structure only, at width 16 (parameter count scales as w²): the standard width
  // would allocate 21 M parameters in a debug test.
  let net = ResNet(depth: .resnet34, stem: .imagenet, baseWidth: 16, key: RandomKey(seed: 1))
  #expect(net.tensor(forKey: "conv1.weight")!.shape == [16, 3, 7, 7])
  #expect(net.conv1.stride == 2 && net.conv1.padding == 3)
  #expect(net.tensorKeys(kind: .parameter).count == 3 + 16 * 6 + 3 * 3)
  #expect(net.tensor(forKey: "layer3.5.bn2.weight")!.shape == [64])
  #expect(net.tensor(forKey: "layer3.6.bn2.weight") == nil)
  // torchvision resnet34: 21,797,672 parameters, minus fc (512·1000 + 1000); with w = 16
  // the stem convolution (3 input channels) and BN have 1/4 of their parameters, the
  // other convolutions 1/16.
  let full = 21_797_672 - 513_000
  let stem = 64 * 3 * 7 * 7
  let batchNormParameters = 2 * (64 + (3 * 2 * 64 + 4 * 2 * 128 + 6 * 2 * 256 + 3 * 2 * 512) + (128 + 256 + 512))
  #expect(net.parameterCount == (full - batchNormParameters - stem) / 16 + (batchNormParameters + stem) / 4)
}

@Test func resNetInitialisationFollowsTorchvision() {
  let net = ResNet(depth: .resnet18, stem: .cifar, baseWidth: 8, zeroInitializeResidual: true, key: RandomKey(seed: 2))
  #expect(net.tensor(forKey: "bn1.weight")!.scalars.allSatisfy { $0 == 1 })
  #expect(net.tensor(forKey: "layer1.0.bn2.weight")!.scalars.allSatisfy { $0 == 0 })
  #expect(net.tensor(forKey: "layer1.0.bn1.weight")!.scalars.allSatisfy { $0 == 1 })
  // kaiming_normal_(fan_out): std √(2 / (F·K·K)).
  let weight = net.tensor(forKey: "layer4.0.conv1.weight")!.scalars
  let std = (weight.map { Double($0 * $0) }.reduce(0, +) / Double(weight.count)).squareRoot()
  #expect(abs(std - (2.0 / Double(64 * 9)).squareRoot()) < 0.05 * std)
}
