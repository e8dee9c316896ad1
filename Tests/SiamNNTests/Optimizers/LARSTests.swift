import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

/// ‖p‖ = 5 at the start; gradient norms 1, 0.5, 1.2.
private let larsGradients: [[Float]] = [[0.6, 0.8], [0.3, -0.4], [1.2, 0]]

@Test func larsScalesByTheTrustRatio() {
  var lars = LARS(learningRate: 0.1, momentum: 0.9)
  // Step 1: r = 0.001·5/(1 + 1e-8) ≈ 0.005; d = r·g = [0.003, 0.004]; p = [2.9997, 3.9996].
  let p = Tensor(shape: [1, 2], scalars: [3, 4])
  let g = Tensor(shape: [1, 2], scalars: [0.6, 0.8])
  #expect(abs(lars.trustRatio(key: "w", parameter: p, gradient: g)! - 0.005) < 1e-8)
  expectTrajectory(
    trajectory(&lars, start: [3, 4], shape: [1, 2], gradients: larsGradients),
    [
      [2.999700000003, 3.999600000004], [2.999130030011699, 3.9996399599996013],
      [2.99811713802279, 3.9996759239956425],
    ])
}

@Test func larsWeightDecayEntersRatioAndDirection() {
  var lars = LARS(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
  // Step 1: r = 0.001·5/(1 + 0.5·5) = 1/700; d = r·(g + 0.5·p) = r·[2.1, 2.8] = [0.003, 0.004].
  expectTrajectory(
    trajectory(&lars, start: [3, 4], shape: [1, 2], gradients: larsGradients),
    [
      [2.9997000000008573, 3.9996000000011427], [2.9991300300026285, 3.998973371113986],
      [2.9982522827141427, 3.998139227760232],
    ])
}

@Test func larsClipsTheAdaptiveRate() {
  var lars = LARS(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5, clipsLearningRate: true)
  // Step 1: r = min((1/700)/0.1, 1) = 1/70.
  expectTrajectory(
    trajectory(&lars, start: [3, 4], shape: [1, 2], gradients: larsGradients),
    [
      [2.9970000000085713, 3.9960000000114286], [2.9913030000262752, 3.9897371109563586],
      [2.9825361065030784, 3.9814070948715767],
    ])
}

@Test func larsExcludesBiasAndNormParametersFromAdaptationAndDecay() {
  var lars = LARS(learningRate: 0.1, momentum: 0.9, weightDecay: 0.5)
  // A rank-1 parameter is plain SGD with momentum, without decay.
  #expect(lars.trustRatio(key: "bn.weight", parameter: Tensor([3, 4]), gradient: Tensor([0.6, 0.8])) == nil)
  expectTrajectory(
    trajectory(&lars, key: "bn.weight", start: [3, 4], gradients: larsGradients),
    [[2.94, 3.92], [2.856, 3.888], [2.6604, 3.8592]])
  // A zero parameter (or gradient) is not adapted either.
  #expect(lars.trustRatio(key: "w", parameter: Tensor(zeros: [1, 2]), gradient: Tensor(ones: [1, 2])) == nil)
}
