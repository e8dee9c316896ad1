import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

/// DINO: multi-crop steps, the loss recomputed through the modules, the centre, the
/// teacher-temperature schedule, the frozen last layer and the collapse monitors.
@Suite struct DINOTests {
  static func make(_ configuration: DINO.Configuration = Tiny.dino, localViewCount: Int = 4) throws -> DINO {
    try DINO(
      configuration: configuration, localViewCount: localViewCount, makeEncoder: Tiny.convEncoder,
      key: RandomKey(seed: 5))
  }

  /// After the first epoch every trainable parameter gets a gradient, multi-crop
  /// included; the loss is `dinoLoss` of the student's and teacher's outputs computed
  /// view group by view group, and the centre moves by `dinoUpdatedCenter`.
  @Test func aMultiCropStepIsTheLossOfItsViews() throws {
    let dino = try Self.make()
    #expect(dino.viewCount == 6)
    dino.prepareStep(StepPosition(step: 4, stepsPerEpoch: 4, totalSteps: 40))  // epoch 1
    let views = Tiny.multiCropViews(localCount: 4)
    let globals = concatenated(Array(views[0..<2]), alongAxis: 0)
    let locals = concatenated(Array(views[2...]), alongAxis: 0)
    let n = Tiny.batchSize
    func rows(_ x: Tensor, _ parts: Int) -> [Tensor] {
      (0..<parts).map { x.slice(alongAxis: 0, $0 * n..<($0 + 1) * n) }
    }
    let teacher = rows(dino.momentumHead(dino.momentumEncoder(globals)), 2)
    let student = rows(dino.head(dino.encoder(globals)), 2) + rows(dino.head(dino.encoder(locals)), 4)
    let centerBefore = dino.center
    let reference = dinoLoss(
      student: student, teacher: teacher, center: centerBefore,
      studentTemperature: 0.1, teacherTemperature: 0.04
    ).scalar
    let step = expectHealthyStep(dino, views: views)
    #expect(abs(step.loss - reference) <= 1e-5 * max(1, abs(reference)), "\(step.loss) vs \(reference)")
    let expectedCenter = dinoUpdatedCenter(centerBefore, teacher: teacher, momentum: 0.9)
    expectClose(
      dino.center.scalars.map(Double.init), expectedCenter.scalars.map(Double.init),
      absolute: 1e-6, relative: 1e-5, "centre")
    #expect(dino.center.shape == [1, 10])
  }

  @Test func theLastLayerIsFrozenDuringTheFirstEpochs() throws {
    var configuration = Tiny.dino
    configuration.freezeLastLayerEpochs = 2
    let dino = try Self.make(configuration, localViewCount: 0)
    let views = Tiny.views()
    for (step, frozen) in [(0, true), (7, true), (8, false)] {
      dino.prepareStep(StepPosition(step: step, stepsPerEpoch: 4, totalSteps: 40))
      let gradients = dino.computeGradients(views: views).gradients
      #expect((gradients["head.last_layer.weight"] == nil) == frozen, "step \(step)")
      #expect(gradients["head.mlp.0.weight"] != nil && gradients["encoder.0.weight"] != nil)
    }
    // Without a position (a bare step) the method is at epoch 0.
    let fresh = try Self.make(configuration, localViewCount: 0)
    #expect(fresh.computeGradients(views: views).gradients["head.last_layer.weight"] == nil)
  }

  /// The paper's `np.linspace(warmup, final, W)` per epoch, then the final value.
  @Test func teacherTemperatureWarmsUpLinearlyPerEpoch() throws {
    let c = DINO.Configuration(
      teacherTemperature: 0.07, warmupTeacherTemperature: 0.04, warmupTeacherTemperatureEpochs: 4)
    let expected: [Float] = [0.04, 0.05, 0.06, 0.07, 0.07, 0.07]
    for (epoch, value) in expected.enumerated() {
      #expect(abs(c.teacherTemperature(epoch: epoch) - value) < 1e-7, "epoch \(epoch)")
    }
    #expect(
      DINO.Configuration(teacherTemperature: 0.07, warmupTeacherTemperatureEpochs: 1).teacherTemperature(epoch: 0)
        == 0.04)
    #expect(DINO.Configuration(teacherTemperature: 0.07).teacherTemperature(epoch: 0) == 0.07)
    let dino = try Self.make(c, localViewCount: 0)
    dino.prepareStep(StepPosition(step: 9, stepsPerEpoch: 4, totalSteps: 40))  // epoch 2
    #expect(abs(dino.computeGradients(views: Tiny.views()).metrics["teacher_temperature"]! - 0.06) < 1e-7)
  }

  /// Entropy of the teacher's targets in `[0, log K]`, the KL `loss − entropy` ≥ 0; a
  /// teacher whose outputs are one row for every sample (collapse) gives entropy from
  /// the formula and a centre that converges to that row.
  @Test func monitorsReportEntropyAndKL() throws {
    let dino = try Self.make(localViewCount: 2)
    let step = dino.computeGradients(views: Tiny.multiCropViews(localCount: 2))
    let entropy = try #require(step.metrics["teacher_entropy"])
    let kl = try #require(step.metrics["kl_divergence"])
    #expect(entropy >= 0 && entropy <= log(10) + 1e-5)
    #expect(kl >= -1e-5 && abs(kl + entropy - step.loss) < 1e-5)
    // Entropy against a hand computation: uniform logits give log K.
    let uniform = [Tensor(zeros: [4, 10]), Tensor(zeros: [4, 10])]
    #expect(abs(DINO.teacherEntropy(uniform, center: Tensor(zeros: [1, 10]), temperature: 0.04) - log(10)) < 1e-5)
  }

  @Test func invalidConfigurationsThrow() {
    #expect(throws: SSLError.self) { try Self.make(DINO.Configuration(prototypes: 1)) }
    #expect(throws: SSLError.self) { try Self.make(DINO.Configuration(teacherTemperature: 0)) }
    #expect(throws: SSLError.self) { try Self.make(DINO.Configuration(centerMomentum: 1.5)) }
    #expect(throws: SSLError.self) { try Self.make(DINO.Configuration(baseMomentum: 1.01)) }
    #expect(throws: SSLError.self) {
      try MethodConfiguration.simclr(Tiny.simclr).makeMethod(
        encoder: .mlp(widths: [16]), inputShape: [1, 8, 8], batchSize: 8, localViewCount: 2, key: RandomKey(seed: 1))
    }
  }

  @Test func viewShapesAreChecked() throws {
    let conv = EncoderConfiguration.convnet(widths: [8], strides: [1])
    try MethodConfiguration.checkViewShapes(
      [[1, 8, 8], [1, 8, 8], [1, 4, 4], [1, 4, 4]], localViewCount: 2, encoder: conv)
    #expect(throws: SSLError.self) {
      try MethodConfiguration.checkViewShapes([[1, 8, 8], [1, 6, 6]], localViewCount: 0, encoder: conv)
    }
    #expect(throws: SSLError.self) {
      try MethodConfiguration.checkViewShapes(
        [[1, 8, 8], [1, 8, 8], [1, 4, 4], [1, 5, 5]], localViewCount: 2, encoder: conv)
    }
    #expect(throws: SSLError.self) {
      try MethodConfiguration.checkViewShapes(
        [[1, 8, 8], [1, 8, 8], [1, 4, 4]], localViewCount: 1, encoder: .mlp(widths: [16]))
    }
  }

  /// The prototype layer scores cosines (by hand on a small case), and the head's
  /// gradient, through the normalised bottleneck and prototypes, matches central
  /// differences.
  @Test func headScoresCosinesAndItsGradientMatchesFiniteDifferences() throws {
    let layer = PrototypeLayer(2, prototypes: 2, key: RandomKey(seed: 1))
    layer.weight = Tensor(shape: [2, 2], scalars: [3, 4, 0, -2])
    let y = layer(Tensor(shape: [1, 2], scalars: [1, 0]))
    expectClose(y.scalars.map(Double.init), [0.6, 0], absolute: 1e-6, relative: 0, "cosines")

    let head = DINOHead(
      inputFeatures: 5, hiddenWidths: [6], bottleneckFeatures: 4, prototypes: 7, key: RandomKey(seed: 2))
    let x = Tensor.randomNormal(shape: [3, 5], key: RandomKey(seed: 4))
    GradientCheck.check(
      "dino head", at: [x, head.lastLayer.weight], differentiable: [0, 1], step: 1e-3,
      absolute: 5e-3, relative: 1e-2
    ) { inputs in
      head.lastLayer.weight = inputs[1]
      let y = head(inputs[0])
      return (y * y).sum() + y.sum()
    }
  }
}
