import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// SwAV: the swapped prediction recomputed through the modules, Sinkhorn–Knopp's equal
/// partition, the frozen prototypes, the queue and the monitors.
@Suite struct SwAVTests {
  static func make(_ configuration: SwAV.Configuration = Tiny.swav, localViewCount: Int = 3) throws -> SwAV {
    try SwAV(
      configuration: configuration, batchSize: Tiny.batchSize, localViewCount: localViewCount,
      makeEncoder: Tiny.convEncoder, key: RandomKey(seed: 6))
  }

  @Test func aMultiCropStepIsTheSwappedPredictionOfItsViews() throws {
    let swav = try Self.make()
    swav.prepareStep(StepPosition(step: 4, stepsPerEpoch: 4, totalSteps: 40))  // epoch 1: prototypes train
    let views = Tiny.multiCropViews(localCount: 3)
    let n = Tiny.batchSize
    func scores(_ group: [Tensor]) -> [Tensor] {
      let z = l2Normalized(swav.projector(swav.encoder(concatenated(group, alongAxis: 0))), alongAxis: 1)
      let s = swav.prototypes(z)
      return (0..<group.count).map { s.slice(alongAxis: 0, $0 * n..<($0 + 1) * n) }
    }
    let s = scores(Array(views[0..<2])) + scores(Array(views[2...]))
    let codes = (0..<2).map { sinkhornKnopp(s[$0], epsilon: 0.05, iterations: 3) }
    let reference = swavLoss(scores: s, codes: codes, temperature: 0.1).scalar
    let step = expectHealthyStep(swav, views: views)
    #expect(abs(step.loss - reference) <= 1e-5 * max(1, abs(reference)), "\(step.loss) vs \(reference)")
    let codeEntropy = try #require(step.metrics["code_entropy"])
    #expect(codeEntropy > 0 && codeEntropy <= log(10) + 1e-5)
    #expect(step.metrics["prediction_entropy"].map { $0 > 0 && $0 <= log(10) + 1e-5 } == true)
    #expect(step.metrics["queue_in_use"] == 0)
  }

  @Test func prototypesAreFrozenDuringTheFirstEpoch() throws {
    let swav = try Self.make(localViewCount: 0)
    let gradients = swav.computeGradients(views: Tiny.views()).gradients
    #expect(gradients["prototypes.weight"] == nil && gradients["projector.0.weight"] != nil)
    swav.prepareStep(StepPosition(step: 4, stepsPerEpoch: 4, totalSteps: 8))
    #expect(swav.computeGradients(views: Tiny.views()).gradients["prototypes.weight"] != nil)
  }

  /// Rows are distributions; with enough iterations every prototype gets `B/K` of the
  /// batch, whatever the scores favour.
  @Test func sinkhornSpreadsTheBatchEquallyOverThePrototypes() {
    let b = 12
    let k = 4
    // Scores that all favour prototype 0.
    var values: [Float] = []
    for n in 0..<b { values += [0.9, 0.1 * Float(n % 3), -0.2, 0.3] }
    let codes = sinkhornKnopp(Tensor(shape: [b, k], scalars: values), epsilon: 0.05, iterations: 50)
    let c = codes.scalars
    for n in 0..<b { #expect(abs((0..<k).reduce(Float(0)) { $0 + c[n * k + $1] } - 1) < 1e-5, "row \(n)") }
    for j in 0..<k {
      #expect(abs((0..<b).reduce(Float(0)) { $0 + c[$1 * k + j] } - Float(b) / Float(k)) < 1e-3, "prototype \(j)")
    }
  }

  /// The queue fills from `queueStartEpoch`, joins Sinkhorn once full (and then changes
  /// the codes), and holds the global views' embeddings.
  @Test func theQueueJoinsSinkhornOnceFull() throws {
    var configuration = Tiny.swav
    (configuration.queueSize, configuration.queueStartEpoch, configuration.freezePrototypesEpochs) = (16, 1, 0)
    let swav = try Self.make(configuration, localViewCount: 0)
    let views = Tiny.views()
    let positions = [(0, 0.0), (4, 0), (5, 0), (6, 1)]  // steps of 4 per epoch; the queue fills at steps 4 and 5
    for (step, inUse) in positions {
      swav.prepareStep(StepPosition(step: step, stepsPerEpoch: 4, totalSteps: 40))
      let metrics = swav.computeGradients(views: views).metrics
      #expect(metrics["queue_in_use"] == Float(inUse), "step \(step)")
    }
    let queue = try #require(swav.queue)
    #expect(queue.pointer == 8)  // three enqueues of 8 into 16 rows
    #expect(queue.keys(slot: 1).scalars.allSatisfy { $0.isFinite } && queue.keys(slot: 1).scalars.contains { $0 != 0 })
    #expect(throws: SSLError.self) { try Self.make(SwAV.Configuration(queueSize: 12), localViewCount: 0) }
  }
}
