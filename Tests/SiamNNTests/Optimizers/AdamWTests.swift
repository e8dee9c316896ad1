import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

@Test func adamWFollowsPyTorchForThreeSteps() throws {
  var adam = AdamW(learningRate: 0.01, weightDecay: 0.1)
  // Step 1: p·(1 − 0.001) = ±0.999; m̂ = g, v̂ = g², so p −= 0.01·g/(|g| + ε): ±0.989.
  let gradients: [[Float]] = [[0.1, -0.2], [0.3, 0.1], [-0.2, 0.05]]
  expectTrajectory(
    trajectory(&adam, start: [1, -1], gradients: gradients),
    [
      [0.989000001, -0.9890000005], [0.978833190219559, -0.9853476302713676],
      [0.9752753190977598, -0.9837483940596002],
    ])
  let state = adam.stateTensors()
  #expect(Set(state.keys) == ["w.exp_avg", "w.exp_avg_sq", "w.step"])
  #expect(state["w.step"]!.scalar == 3)
  expectClose(state["w.exp_avg"]!.scalars.map(Double.init), [0.0151, -0.0022], absolute: 1e-7, relative: 1e-5)
  expectClose(
    state["w.exp_avg_sq"]!.scalars.map(Double.init), [1.3989001e-4, 5.241004e-5], absolute: 1e-9, relative: 1e-5)
  var restored = AdamW(learningRate: 0.01, weightDecay: 0.1)
  try restored.loadState(state)
  #expect(Set(restored.stateTensors().keys) == Set(state.keys))
  #expect(restored.stateTensors()["w.exp_avg_sq"]!.isBitIdentical(to: state["w.exp_avg_sq"]!))
}
