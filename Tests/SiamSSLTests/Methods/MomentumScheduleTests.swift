import SiamNN
import SiamSSL
import SiamTensor
import Testing
import _SiamTestSupport

@Suite struct MomentumScheduleTests {
  @Test func byolMomentumRunsFromBaseToOneOnACosine() throws {
    let byol = try BYOL(configuration: Tiny.byol, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 1))
    #expect(byol.afterOptimizerStep(step: 0, totalSteps: 100)["momentum"] == 0.99)
    expectClose([Double(byol.afterOptimizerStep(step: 50, totalSteps: 100)["momentum"]!)], [0.995], absolute: 1e-6)
    #expect(byol.afterOptimizerStep(step: 100, totalSteps: 100)["momentum"] == 1)
  }

  @Test func scheduleAgreesWithEMACosineMomentum() {
    let schedule = MomentumSchedule(base: 0.996, final: 1)
    for step in [0, 1, 17, 250, 499, 500] {
      expectClose(
        [Double(schedule.value(step: step, totalSteps: 500))],
        [Double(EMA.cosineMomentum(base: 0.996, step: step, totalSteps: 500))], absolute: 1e-7)
    }
    #expect(MomentumSchedule.constant(0.99).value(step: 7, totalSteps: 10) == 0.99)
    expectClose(
      [Double(MomentumSchedule(base: 0.99, final: 0.999).value(step: 10, totalSteps: 10))], [0.999], absolute: 1e-7)
  }

  @Test func targetWithMomentumOneStaysPut() throws {
    let byol = try BYOL(configuration: Tiny.byol, makeEncoder: Tiny.mlpEncoder, key: RandomKey(seed: 2))
    let step = byol.computeGradients(views: Tiny.views())
    var optimizer = SGD(learningRate: 0.5)
    optimizer.update(byol.trainableModule, gradients: step.gradients)
    let before = byol.momentumEncoder.stateDictionary(kind: .parameter)
    byol.afterOptimizerStep(step: 10, totalSteps: 10)  // τ = 1
    for (key, tensor) in byol.momentumEncoder.stateDictionary(kind: .parameter) {
      #expect(tensor.isBitIdentical(to: before[key]!))
    }
    byol.afterOptimizerStep(step: 0, totalSteps: 10)  // τ = 0.99: moves towards the online weights
    #expect(
      byol.momentumEncoder.stateDictionary(kind: .parameter).contains { !$0.value.isBitIdentical(to: before[$0.key]!) })
  }
}
