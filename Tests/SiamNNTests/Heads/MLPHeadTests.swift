import SiamNN
import SiamTensor
import Testing

@Test func simCLRProjectorIsLinearNoBiasBatchNormReluLinear() {
  let head = MLPHead.projector(inputFeatures: 128, hiddenFeatures: 128, outputFeatures: 64, key: RandomKey(seed: 1))
  #expect(head.layers.count == 4)
  #expect(
    head.layers[0] is Linear && head.layers[1] is BatchNorm1d && head.layers[2] is ReLU && head.layers[3] is Linear)
  #expect(head.tensorKeys(kind: .parameter) == ["0.weight", "1.weight", "1.bias", "3.weight", "3.bias"])
  #expect(head.tensor(forKey: "0.weight")!.shape == [128, 128])
  #expect(head.tensor(forKey: "3.weight")!.shape == [64, 128])
  #expect(head.outputFeatures == 64)
}

@Test func headVariantsForLastBatchNormAndNoBatchNorm() {
  let simSiam = MLPHead(
    inputFeatures: 8, hiddenWidths: [16, 16], outputFeatures: 4, hasLastBatchNorm: true, key: RandomKey(seed: 1))
  #expect(
    simSiam.tensorKeys(kind: .parameter) == [
      "0.weight", "1.weight", "1.bias", "3.weight", "4.weight", "4.bias", "6.weight",
    ])
  #expect(simSiam.tensorKeys(kind: .buffer).suffix(3) == ["7.running_mean", "7.running_var", "7.num_batches_tracked"])
  let plain = MLPHead(
    inputFeatures: 8, hiddenWidths: [16], outputFeatures: 4, hasBatchNorm: false, key: RandomKey(seed: 1))
  #expect(plain.tensorKeys() == ["0.weight", "0.bias", "2.weight", "2.bias"])
  let predictor = MLPHead.predictor(inputFeatures: 4, hiddenFeatures: 16, outputFeatures: 4, key: RandomKey(seed: 2))
  #expect(predictor.tensorKeys(kind: .parameter) == ["0.weight", "1.weight", "1.bias", "3.weight", "3.bias"])
  let linearOnly = MLPHead(inputFeatures: 8, hiddenWidths: [], outputFeatures: 4, key: RandomKey(seed: 1))
  #expect(linearOnly.tensorKeys() == ["0.weight", "0.bias"])
}
