import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// MoCo v2's queue, momentum update and checkpoint state.
@Suite struct MoCoV2Tests {
  static func makeMoCo(seed: UInt64 = 21, configuration: MoCoV2.Configuration = Tiny.moco) throws -> MoCoV2 {
    try MoCoV2(
      configuration: configuration, batchSize: Tiny.batchSize, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: seed))
  }

  @Test func queueIsFIFOAndThePointerWraps() {
    // K = 4 rows of width 1, one slot: batches of 2 fill rows 0–1, 2–3, then overwrite 0–1.
    var queue = FeatureQueue(features: Tensor(zeros: [1, 4, 1]), pointer: 0)
    queue.enqueue([Tensor(shape: [2, 1], scalars: [1, 2])])
    #expect(queue.pointer == 2 && queue.features.scalars == [1, 2, 0, 0])
    queue.enqueue([Tensor(shape: [2, 1], scalars: [3, 4])])
    #expect(queue.pointer == 0 && queue.features.scalars == [1, 2, 3, 4])
    queue.enqueue([Tensor(shape: [2, 1], scalars: [5, 6])])
    #expect(queue.pointer == 2 && queue.features.scalars == [5, 6, 3, 4])
    #expect(queue.keys(slot: 0).shape == [4, 1])
  }

  @Test func queueSlotsAdvanceTogether() {
    var queue = FeatureQueue(features: Tensor(zeros: [2, 3, 2]), pointer: 2)
    queue.enqueue([Tensor(shape: [2, 2], scalars: [1, 1, 2, 2]), Tensor(shape: [2, 2], scalars: [7, 7, 8, 8])])
    #expect(queue.pointer == 1)
    #expect(queue.keys(slot: 0).scalars == [2, 2, 0, 0, 1, 1])
    #expect(queue.keys(slot: 1).scalars == [8, 8, 0, 0, 7, 7])
  }

  @Test func randomQueueHasUnitRows() {
    let queue = FeatureQueue.random(slots: 1, size: 5, width: 3, key: RandomKey(seed: 1))
    let norms = (queue.keys(slot: 0) * queue.keys(slot: 0)).sum(alongAxis: 1)
    expectClose(norms, Tensor(ones: [5]), absolute: 1e-5)
  }

  @Test func queueSizeMustBeAMultipleOfTheBatchSize() {
    var configuration = Tiny.moco
    configuration.queueSize = 20
    let error = #expect(throws: SSLError.self) { try Self.makeMoCo(configuration: configuration) }
    #expect(error?.code == .invalidConfiguration && error?.key == "queueSize")
    #expect(error?.message.contains("multiple of the batch size 8") == true, "\(String(describing: error))")
  }

  @Test func stepsEnqueueTheKeysOfViewTwo() throws {
    let moco = try Self.makeMoCo()
    let initial = moco.queue
    let views = Tiny.views()
    _ = moco.computeGradients(views: views)
    #expect(moco.queue.pointer == Tiny.batchSize)
    #expect(moco.stateTensors()["queue_ptr"]!.scalar == Float(Tiny.batchSize))
    let keys = l2Normalized(moco.momentumProjector(moco.momentumEncoder(views[1])), alongAxis: 1)
    let written = moco.queue.keys(slot: 0).slice(alongAxis: 0, 0..<Tiny.batchSize)
    expectClose(written, keys, absolute: 1e-6)
    let untouched = moco.queue.keys(slot: 0).slice(alongAxis: 0, Tiny.batchSize..<32)
    #expect(untouched.isBitIdentical(to: initial.keys(slot: 0).slice(alongAxis: 0, Tiny.batchSize..<32)))
  }

  @Test func momentumUpdateMatchesHandComputation() throws {
    // A 2 → 1 MLP encoder (weight [1, 2], bias [1]) and a 1 → 2 → 2 projector.
    var configuration = MoCoV2.Configuration(projectorHiddenWidths: [2], projectorOutputFeatures: 2, queueSize: 8)
    configuration.momentum = 0.9
    let moco = try MoCoV2(
      configuration: configuration, batchSize: 2,
      makeEncoder: { MLPEncoder(inputFeatures: 2, widths: [1], key: $0) }, key: RandomKey(seed: 1))
    moco.encoder.setTensor(Tensor(shape: [1, 2], scalars: [1, 2]), forKey: "0.weight")
    moco.encoder.setTensor(Tensor([3]), forKey: "0.bias")
    moco.momentumEncoder.setTensor(Tensor(shape: [1, 2], scalars: [-1, 0]), forKey: "0.weight")
    moco.momentumEncoder.setTensor(Tensor([1]), forKey: "0.bias")
    let metrics = moco.afterOptimizerStep(step: 3, totalSteps: 10)
    #expect(metrics["momentum"] == 0.9)
    // 0.9·target + 0.1·online
    expectClose(
      moco.momentumEncoder.tensor(forKey: "0.weight")!, Tensor(shape: [1, 2], scalars: [-0.8, 0.2]), absolute: 1e-6)
    expectClose(moco.momentumEncoder.tensor(forKey: "0.bias")!, Tensor([1.2]), absolute: 1e-6)
    // The projector pair started as a copy and the online projector did not change.
    expectClose(
      moco.momentumProjector.tensor(forKey: "0.weight")!, moco.projector.tensor(forKey: "0.weight")!, absolute: 1e-6)
  }

  @Test func checkpointStateRoundTripsThroughSafeTensors() throws {
    let moco = try Self.makeMoCo(seed: 21)
    var optimizer = SGD(learningRate: 0.05, momentum: 0.9)
    for step in 0..<2 {
      let result = moco.computeGradients(views: Tiny.views(seed: UInt64(step)))
      optimizer.update(moco.trainableModule, gradients: result.gradients)
      moco.afterOptimizerStep(step: step, totalSteps: 10)
    }
    let data = SafeTensors.encode(moco.stateTensors())
    let restored = try Self.makeMoCo(seed: 99)
    try restored.loadState(try SafeTensors.decode(data).tensors, source: "memory")
    let original = moco.stateTensors()
    let loaded = restored.stateTensors()
    #expect(Set(original.keys) == Set(loaded.keys))
    for (key, tensor) in original {
      #expect(loaded[key]!.isBitIdentical(to: tensor), "\(key) differs after the round trip")
    }
    #expect(restored.queue.pointer == 2 * Tiny.batchSize)
    let views = Tiny.views(seed: 5)
    #expect(moco.computeGradients(views: views).loss == restored.computeGradients(views: views).loss)
  }

  @Test func aQueuePointerOutOfRangeIsRejected() throws {
    let moco = try Self.makeMoCo()
    var state = moco.stateTensors()
    state["queue_ptr"] = Tensor(5)
    #expect(throws: SSLError.self) { try moco.loadState(state, source: "bad.safetensors") }
    #expect(moco.queue.pointer == 0)
  }
}
