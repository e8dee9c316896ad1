import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

/// The gradients of three steps shared by the optimizer tests.
let threeGradients: [[Float]] = [[0.5, 1.0], [-0.25, 0.5], [0.1, 0.2]]

/// Runs `optimizer` for one step per gradient on parameter `key`, returning the values
/// after each step.
func trajectory<O: Optimizer>(
  _ optimizer: inout O, key: String = "w", start: [Float], shape: [Int]? = nil, gradients: [[Float]]
) -> [[Float]] {
  var parameter = Tensor(shape: shape ?? [start.count], scalars: start)
  return gradients.map { g in
    optimizer.step(key: key, parameter: &parameter, gradient: Tensor(shape: parameter.shape, scalars: g))
    return parameter.scalars
  }
}

func expectTrajectory(_ actual: [[Float]], _ expected: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
  for (step, (a, e)) in zip(actual, expected).enumerated() {
    expectClose(
      a.map(Double.init), e, absolute: 1e-6, relative: 1e-6, "step \(step + 1)", sourceLocation: sourceLocation)
  }
}

@Test func sgdWithoutMomentumIsPlainGradientDescent() {
  var sgd = SGD(learningRate: 0.1)
  // p − 0.1·g: [1, −2] → [0.95, −2.1] → [0.975, −2.15] → [0.965, −2.17].
  expectTrajectory(
    trajectory(&sgd, start: [1, -2], gradients: threeGradients),
    [[0.95, -2.1], [0.975, -2.15], [0.965, -2.17]])
  #expect(sgd.stateTensors().isEmpty)
}

@Test func sgdMomentumAndWeightDecayFollowPyTorch() {
  var sgd = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
  // Step 1: d = [0.5 + 0.01, 1 − 0.02] = [0.51, 0.98] = b; p = [0.949, −2.098].
  // Step 2: d = [−0.25 + 0.00949, 0.5 − 0.02098]; b = 0.9·b + d = [0.21849, 1.36102];
  //         p = [0.927151, −2.234102].
  expectTrajectory(
    trajectory(&sgd, start: [1, -2], gradients: threeGradients),
    [[0.949, -2.098], [0.927151, -2.234102], [0.896559749, -2.374359698]])
  expectClose(
    sgd.stateTensors()["w.momentum_buffer"]!.scalars.map(Double.init),
    [(0.927151 - 0.896559749) / 0.1, (-2.234102 + 2.374359698) / 0.1], absolute: 1e-5, relative: 1e-5)
}

@Test func sgdNesterovAndDampeningFollowPyTorch() {
  var nesterov = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01, isNesterov: true)
  // Step 1: d = [0.51, 0.98], b = d, update d + 0.9·b = [0.969, 1.862]; p = [0.9031, −2.1862].
  expectTrajectory(
    trajectory(&nesterov, start: [1, -2], gradients: threeGradients),
    [[0.9031, -2.1862], [0.90757411, -2.35642622], [0.869189208191, -2.500120188182]])
  var damped = SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.5)
  // The first step ignores dampening (b = d); later b = 0.9·b + 0.5·d.
  expectTrajectory(
    trajectory(&damped, start: [1, -2], gradients: threeGradients),
    [[0.95, -2.1], [0.9175, -2.215], [0.88325, -2.3285]])
}

@Test func weightDecayExclusionsSkipBiasesAndNorms() {
  var sgd = SGD(learningRate: 0.1, weightDecay: 0.5, weightDecayExclusions: .biasAndNormalization)
  let matrix = trajectory(&sgd, key: "fc.weight", start: [1, -2], shape: [1, 2], gradients: [[0, 0]])
  let vector = trajectory(&sgd, key: "fc.bias", start: [1, -2], gradients: [[0, 0]])
  expectTrajectory(matrix, [[0.95, -1.9]])
  expectTrajectory(vector, [[1, -2]])
  #expect(ParameterFilter.biasAndNormalization.matches("bn.weight", [64]))
  #expect(!ParameterFilter.biasAndNormalization.matches("conv.weight", [64, 3, 3, 3]))
}

@Test func optimizerUpdatesAModuleByKeyAndSkipsMissingGradients() {
  let model = Sequential([Linear(2, 2, key: RandomKey(seed: 1))])
  let before = model.stateDictionary()
  var sgd = SGD(learningRate: 0.5, momentum: 0.9)
  sgd.update(model, gradients: ["0.weight": Tensor(ones: [2, 2])])
  expectClose(model.tensor(forKey: "0.weight")!, before["0.weight"]! - 0.5)
  #expect(model.tensor(forKey: "0.bias")!.isBitIdentical(to: before["0.bias"]!))
  #expect(Set(sgd.stateTensors().keys) == ["0.weight.momentum_buffer"])
}

@Test func optimizerStateRoundTripsThroughNamedTensors() throws {
  var first = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
  var second = first
  _ = trajectory(&first, start: [1, -2], gradients: Array(threeGradients.prefix(1)))
  var restored = SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
  try restored.loadState(first.stateTensors())
  let continued = trajectory(&restored, start: [0.949, -2.098], gradients: Array(threeGradients.dropFirst()))
  let reference = trajectory(&second, start: [1, -2], gradients: threeGradients)
  expectTrajectory(continued, reference.dropFirst().map { $0.map(Double.init) })
  #expect(throws: NNError.self) { try restored.loadState(["w.exp_avg": Tensor([1])]) }
}
