import Foundation
import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func checkpointRestoresModelAndOptimizerState() throws {
  let model = MLPHead.projector(inputFeatures: 4, hiddenFeatures: 8, outputFeatures: 2, key: RandomKey(seed: 1))
  var optimizer = SGD(learningRate: 0.1, momentum: 0.9)
  let gradients = Dictionary(
    uniqueKeysWithValues: model.namedParameters().map { ($0.key, Tensor(ones: $0.tensor.shape)) })
  optimizer.update(model, gradients: gradients)
  model.setTensor(Tensor([1, 2, 3, 4, 5, 6, 7, 8]), forKey: "1.running_mean")

  let path = FileManager.default.temporaryDirectory.appendingPathComponent("siam-nn-\(UUID().uuidString).safetensors")
    .path
  defer { unlink(path) }
  try Checkpoint(model: model, optimizer: optimizer, metadata: ["epoch": "1"]).write(to: path)

  let checkpoint = try Checkpoint.read(from: path)
  #expect(checkpoint.metadata == ["epoch": "1"])
  #expect(Set(checkpoint.modelTensors.keys) == Set(model.tensorKeys()))
  #expect(checkpoint.tensors["optimizer.0.weight.momentum_buffer"] != nil)
  let fresh = MLPHead.projector(inputFeatures: 4, hiddenFeatures: 8, outputFeatures: 2, key: RandomKey(seed: 2))
  try checkpoint.restore(fresh, source: path)
  for (key, value) in model.namedTensors() { #expect(fresh.tensor(forKey: key)!.isBitIdentical(to: value), "\(key)") }
  var restored = SGD(learningRate: 0.1, momentum: 0.9)
  try checkpoint.restore(&restored)
  #expect(Set(restored.stateTensors().keys) == Set(optimizer.stateTensors().keys))

  let other = MLPHead.projector(inputFeatures: 4, hiddenFeatures: 16, outputFeatures: 2, key: RandomKey(seed: 2))
  #expect { try checkpoint.restore(other, source: path) } throws: {
    ($0 as? NNError)?.code == .shapeMismatch && "\($0)".hasPrefix(path)
  }
  let deeper = MLPHead(inputFeatures: 4, hiddenWidths: [8, 8], outputFeatures: 2, key: RandomKey(seed: 2))
  #expect { try checkpoint.restore(deeper) } throws: { ($0 as? NNError)?.code == .keyMismatch }
  var adam = AdamW()
  #expect { try checkpoint.restore(&adam) } throws: { ($0 as? NNError)?.code == .keyMismatch }
}
