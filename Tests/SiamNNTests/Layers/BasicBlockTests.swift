import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func basicBlockAddsTheIdentityShortcut() {
  let block = BasicBlock(4, 4, key: RandomKey(seed: 1))
  #expect(block.downsample == nil)
  let x = makeTestTensor([2, 4, 5, 5], seed: 2)
  let y = block(x)
  #expect(y.shape == [2, 4, 5, 5])
  let expected = relu(block.bn2(block.conv2(relu(block.bn1(block.conv1(x))))) + x)
  expectClose(y, expected, absolute: 1e-5, relative: 1e-4)
}

@Test func basicBlockDownsamplesWithAStridedOneByOneConvolution() {
  let block = BasicBlock(4, 8, stride: 2, key: RandomKey(seed: 1))
  #expect(
    block.tensorKeys(kind: .parameter) == [
      "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
      "downsample.0.weight", "downsample.1.weight", "downsample.1.bias",
    ])
  #expect(block.tensor(forKey: "downsample.0.weight")!.shape == [8, 4, 1, 1])
  #expect(block(makeTestTensor([2, 4, 7, 7], seed: 2)).shape == [2, 8, 4, 4])
}

@Test func resNetForwardShapesForBothStems() {
  let cifar = ResNet(depth: .resnet18, stem: .cifar, inputChannels: 1, baseWidth: 4, key: RandomKey(seed: 1))
  #expect(cifar(makeTestTensor([2, 1, 8, 8], seed: 2)).shape == [2, 32])
  let imagenet = ResNet(depth: .resnet18, stem: .imagenet, baseWidth: 4, key: RandomKey(seed: 1))
  #expect(imagenet(makeTestTensor([2, 3, 32, 32], seed: 3)).shape == [2, 32])
}
