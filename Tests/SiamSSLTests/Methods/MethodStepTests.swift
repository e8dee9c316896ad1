import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// One step of every method on a tiny ConvNet, and what an optimizer step does to target
/// networks.
@Suite struct MethodStepTests {
  static func makeAll() throws -> [any Method] {
    let key = RandomKey(seed: 11)
    let make = Tiny.convEncoder
    return [
      try SimCLR(configuration: Tiny.simclr, makeEncoder: make, key: key),
      try MoCoV2(configuration: Tiny.moco, batchSize: Tiny.batchSize, makeEncoder: make, key: key),
      try MoCoV2(
        configuration: {
          var c = Tiny.moco
          c.isSymmetric = true
          return c
        }(),
        batchSize: Tiny.batchSize, makeEncoder: make, key: key),
      try BYOL(configuration: Tiny.byol, makeEncoder: make, key: key),
      try SimSiam(configuration: Tiny.simsiam, makeEncoder: make, key: key),
      try BarlowTwins(configuration: Tiny.barlow, makeEncoder: make, key: key),
      try VICReg(configuration: Tiny.vicreg, makeEncoder: make, key: key),
      try MoCoV3(configuration: Tiny.mocov3, makeEncoder: make, key: key),
      try DINO(
        configuration: {
          var c = Tiny.dino
          c.freezeLastLayerEpochs = 0
          return c
        }(), makeEncoder: make, key: key),
      try NNCLR(configuration: Tiny.nnclr, batchSize: Tiny.batchSize, makeEncoder: make, key: key),
      try SwAV(
        configuration: {
          var c = Tiny.swav
          c.freezePrototypesEpochs = 0
          return c
        }(), batchSize: Tiny.batchSize,
        makeEncoder: make, key: key),
    ]
  }

  @Test func everyMethodTakesAHealthyStep() throws {
    for method in try Self.makeAll() {
      let step = expectHealthyStep(method)
      // Targets are not touched by the optimizer: only `trainableModule` is updated.
      let before = method.stateTensors()
      var optimizer = SGD(learningRate: 0.1, momentum: 0.9)
      optimizer.update(method.trainableModule, gradients: step.gradients)
      let after = method.stateTensors()
      let trainable = Set(method.trainableModule.namedParameters().map(\.key))
      for (key, tensor) in after where !trainable.contains(key) {
        #expect(tensor.isBitIdentical(to: before[key]!), "\(method.name): \(key) changed by the optimizer")
      }
      #expect(trainable.contains { !after[$0]!.isBitIdentical(to: before[$0]!) })
      method.afterOptimizerStep(step: 0, totalSteps: 10)
    }
  }

  @Test func checkpointKeysNameEveryModule() throws {
    let names = try Self.makeAll().map { method in
      (method.name, Set(method.stateTensors().keys.map { String($0.split(separator: ".")[0]) }))
    }
    #expect(names[0].1 == ["encoder", "projector"])
    #expect(names[1].1 == ["encoder", "projector", "momentum_encoder", "momentum_projector", "queue", "queue_ptr"])
    #expect(names[3].1 == ["encoder", "projector", "predictor", "momentum_encoder", "momentum_projector"])
    #expect(names[4].1 == ["encoder", "projector", "predictor"])
  }

  @Test func momentumNetworksStartAsCopies() throws {
    let byol = try BYOL(configuration: Tiny.byol, makeEncoder: Tiny.convEncoder, key: RandomKey(seed: 3))
    let state = byol.stateTensors()
    for (key, tensor) in byol.encoder.stateDictionary() {
      #expect(state["momentum_encoder." + key]!.isBitIdentical(to: tensor))
    }
  }

  @Test func simclrLossDecreasesOnAFixedBatch() throws {
    let method = try SimCLR(configuration: Tiny.simclr, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 5))
    var optimizer = SGD(learningRate: 0.1, momentum: 0.9)
    let views = Tiny.views(seed: 9)
    var losses: [Float] = []
    for step in 0..<30 {
      let result = method.computeGradients(views: views)
      losses.append(result.loss)
      optimizer.update(method.trainableModule, gradients: result.gradients)
      method.afterOptimizerStep(step: step, totalSteps: 30)
    }
    #expect(losses.allSatisfy { $0.isFinite })
    #expect(losses.last! < 0.8 * losses.first!, "losses \(losses)")
  }

  @Test func methodsAreBuiltFromTheirConfiguration() throws {
    let configurations: [MethodConfiguration] = [
      .simclr(Tiny.simclr), .mocov2(Tiny.moco), .byol(Tiny.byol), .simsiam(Tiny.simsiam),
      .barlowTwins(Tiny.barlow), .vicreg(Tiny.vicreg), .mocov3(Tiny.mocov3), .dino(Tiny.dino),
      .nnclr(Tiny.nnclr), .swav(Tiny.swav),
    ]
    for configuration in configurations {
      let method = try configuration.makeMethod(
        encoder: .mlp(widths: [16]), inputShape: [1, 8, 8], batchSize: Tiny.batchSize, key: RandomKey(seed: 1))
      #expect(method.name == configuration.name)
      #expect(method.encoder.outputFeatures == 16)
    }
  }

  /// A method's `configurationJSON` (what checkpoints record) is its configuration's
  /// JSON: it decodes back to the same configuration and differs when a value does.
  @Test func configurationJSONRecordsTheConfiguration() throws {
    let methods = try Self.makeAll()
    for method in methods { #expect(!method.configurationJSON.isEmpty, "\(method.name)") }
    let byol = try BYOL(configuration: Tiny.byol, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 1))
    #expect(try JSONDecoder().decode(BYOL.Configuration.self, from: Data(byol.configurationJSON.utf8)) == Tiny.byol)
    var other = Tiny.byol
    other.baseMomentum = 0.9
    let changed = try BYOL(configuration: other, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 1))
    #expect(changed.configurationJSON != byol.configurationJSON)
  }

  @Test func invalidConfigurationsThrow() {
    #expect(throws: SSLError.self) {
      try SimCLR(
        configuration: SimCLR.Configuration(temperature: 0), makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 1))
    }
    #expect(throws: SSLError.self) {
      try BYOL(
        configuration: BYOL.Configuration(baseMomentum: 1.5), makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 1))
    }
  }
  /// The loss is the sum of `byolLoss` over the directions, recomputed here through the
  /// modules: both directions when symmetric, view 1 → view 2 only otherwise.
  @Test func byolLossIsTheSumOfItsDirections() throws {
    let views = Tiny.views()  // the batch expectHealthyStep uses
    func expected(_ byol: BYOL, directions: [(Int, Int)]) -> Float {
      let terms = directions.map { online, target in
        byolLoss(
          prediction: byol.predictor(byol.projector(byol.encoder(views[online]))),
          target: byol.momentumProjector(byol.momentumEncoder(views[target])))
      }
      return terms.dropFirst().reduce(terms[0], +).scalar
    }
    for symmetric in [true, false] {
      var configuration = Tiny.byol
      configuration.isSymmetric = symmetric
      let byol = try BYOL(configuration: configuration, makeEncoder: Tiny.convEncoder, key: RandomKey(seed: 3))
      let reference = expected(byol, directions: symmetric ? [(0, 1), (1, 0)] : [(0, 1)])
      let step = expectHealthyStep(byol)
      #expect(
        abs(step.loss - reference) <= 1e-5 * max(1, abs(reference)),
        "symmetric \(symmetric): \(step.loss) vs \(reference)")
      #expect(step.loss > 0 && step.loss < (symmetric ? 8 : 4))
    }
  }

  /// NNCLR's loss through the modules with neighbours found by brute force here; view 1's
  /// normalised projections are enqueued after the step.
  @Test func nnclrUsesTheNearestNeighbourOfTheSupportSet() throws {
    let views = Tiny.views()
    let method = try NNCLR(
      configuration: Tiny.nnclr, batchSize: Tiny.batchSize, makeEncoder: Tiny.convEncoder,
      key: RandomKey(seed: 4))
    let support = method.queue.keys(slot: 0).scalars
    let d = 8
    let q = 32
    let z = views.map { l2Normalized(method.projector(method.encoder($0)), alongAxis: 1) }
    let p = z.indices.map { method.predictor(method.projector(method.encoder(views[$0]))) }
    func neighbours(_ z: Tensor) -> Tensor {
      let rows = z.scalars
      var out: [Float] = []
      for i in 0..<Tiny.batchSize {
        let scores = (0..<q).map { j in (0..<d).reduce(Float(0)) { $0 + rows[i * d + $1] * support[j * d + $1] } }
        let best = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
        out += support[best * d..<(best + 1) * d]
      }
      return Tensor(shape: [Tiny.batchSize, d], scalars: out)
    }
    let tau = Tiny.nnclr.temperature
    let reference =
      ((nnclrLoss(neighbours: neighbours(z[0]), predictions: p[1], temperature: tau)
      + nnclrLoss(neighbours: neighbours(z[1]), predictions: p[0], temperature: tau)) / 2).scalar
    let step = expectHealthyStep(method)
    #expect(abs(step.loss - reference) <= 1e-5 * max(1, abs(reference)), "\(step.loss) vs \(reference)")
    #expect(method.queue.pointer == Tiny.batchSize)
    let enqueued = method.queue.keys(slot: 0).slice(alongAxis: 0, 0..<Tiny.batchSize)
    expectClose(
      enqueued.scalars.map(Double.init), z[0].scalars.map(Double.init), absolute: 1e-5, relative: 1e-4, "enqueued")
    #expect(throws: SSLError.self) {
      try NNCLR(
        configuration: NNCLR.Configuration(queueSize: 30), batchSize: 8, makeEncoder: Tiny.convEncoder,
        key: RandomKey(seed: 1))
    }
  }

  @Test func nearestNeighboursPickTheMostSimilarRowAndTheFirstOnATie() {
    let support = Tensor(shape: [1, 4, 2], scalars: [1, 0, 0, 1, -1, 0, 0, 1])
    let queue = FeatureQueue(features: support, pointer: 0)
    let (rows, indices) = queue.nearestNeighbours(of: Tensor(shape: [3, 2], scalars: [0.9, 0.1, -0.2, 0.8, -1, -0.1]))
    #expect(indices == [0, 1, 2])
    #expect(rows.scalars == [1, 0, 0, 1, -1, 0])
  }

  /// MoCo v3's loss is `mocoV3Loss(q₁, k₂) + mocoV3Loss(q₂, k₁)`, recomputed through the
  /// modules; it stays below `2 · 2τ·log N`'s neighbourhood and the momentum follows the
  /// cosine schedule.
  @Test func mocov3LossIsTheSumOfItsDirections() throws {
    let views = Tiny.views()
    let method = try MoCoV3(configuration: Tiny.mocov3, makeEncoder: Tiny.convEncoder, key: RandomKey(seed: 3))
    let q = views.map { method.predictor(method.projector(method.encoder($0))) }
    let k = views.map { method.momentumProjector(method.momentumEncoder($0)) }
    let tau = Tiny.mocov3.temperature
    let reference =
      (mocoV3Loss(query: q[0], key: k[1], temperature: tau) + mocoV3Loss(query: q[1], key: k[0], temperature: tau))
      .scalar
    let step = expectHealthyStep(method)
    #expect(abs(step.loss - reference) <= 1e-5 * max(1, abs(reference)), "\(step.loss) vs \(reference)")
    #expect(
      method.afterOptimizerStep(step: 5, totalSteps: 10)["momentum"]
        == Tiny.mocov3.momentumSchedule.value(step: 5, totalSteps: 10))
  }
}
