import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

/// A two-level tree for walk tests: own parameter and buffer plus two children.
private final class Tree: Module {
  let first = Linear(3, 4, key: RandomKey(seed: 1))
  let rest = Sequential([ReLU(), Linear(4, 2, hasBias: false, key: RandomKey(seed: 2)), BatchNorm1d(2)])

  override init() {
    super.init()
    addParameter("scale", Tensor([2]))
    addBuffer("count", Tensor(0))
    addChild("first", first)
    addChild("rest", rest)
  }

  override func callAsFunction(_ x: Tensor) -> Tensor {
    rest(first(x)) * localTensor("scale")
  }
}

@Test func walkProducesDottedKeysInStateDictOrder() {
  let tree = Tree()
  #expect(
    tree.tensorKeys() == [
      "scale", "count", "first.weight", "first.bias", "rest.1.weight",
      "rest.2.weight", "rest.2.bias", "rest.2.running_mean", "rest.2.running_var", "rest.2.num_batches_tracked",
    ])
  #expect(
    tree.tensorKeys(kind: .parameter) == [
      "scale", "first.weight", "first.bias", "rest.1.weight", "rest.2.weight", "rest.2.bias",
    ])
  #expect(
    tree.tensorKeys(kind: .buffer) == [
      "count", "rest.2.running_mean", "rest.2.running_var", "rest.2.num_batches_tracked",
    ])
  #expect(tree.parameterCount == 1 + 12 + 4 + 8 + 2 + 2)
  #expect(tree.tensorKinds()["rest.2.running_var"] == .buffer)
  #expect(tree.namedModules().map(\.key) == ["", "first", "rest", "rest.0", "rest.1", "rest.2"])
}

@Test func setTensorAndBulkAssignWriteThroughTheWalk() throws {
  let tree = Tree()
  tree.setTensor(Tensor([5, 6]), forKey: "rest.2.bias")
  #expect(tree.rest.layers[2].localTensor("bias").scalars == [5, 6])
  #expect(tree.tensor(forKey: "rest.2.bias")?.scalars == [5, 6])
  #expect(tree.tensor(forKey: "rest.3.bias") == nil)

  let other = Tree()
  try other.loadTensors(tree.stateDictionary())
  for (key, value) in tree.namedTensors() {
    #expect(other.tensor(forKey: key)!.isBitIdentical(to: value), "\(key)")
  }
  let zeros = tree.namedParameters().map { Tensor(zeros: $0.tensor.shape) }
  tree.assignTensors(zeros, kind: .parameter)
  #expect(tree.first.weight.scalars.allSatisfy { $0 == 0 })
}

@Test func loadTensorsRejectsMissingUnexpectedAndMisshapenKeysWithoutChangingTheModule() {
  let tree = Tree()
  let before = tree.stateDictionary()
  var tensors = before
  tensors["first.bias"] = nil
  tensors["extra.weight"] = Tensor([1])
  #expect {
    try tree.loadTensors(tensors, source: "model.safetensors")
  } throws: { error in
    let error = error as! NNError
    return error.code == .keyMismatch && error.description.contains("model.safetensors")
      && error.message.contains("missing keys: first.bias") && error.message.contains("unexpected keys: extra.weight")
  }
  var misshapen = before
  misshapen["first.bias"] = Tensor(zeros: [5])
  misshapen["scale"] = Tensor([9])
  #expect {
    try tree.loadTensors(misshapen)
  } throws: { ($0 as! NNError).code == .shapeMismatch && "\($0)".contains("first.bias") }
  #expect(tree.tensor(forKey: "scale")!.scalars == [2], "nothing is assigned when loading fails")
  // Non-strict loading takes the keys present in both.
  try? tree.loadTensors(["scale": Tensor([3]), "unknown": Tensor([1])], isStrict: false)
  #expect(tree.tensor(forKey: "scale")!.scalars == [3])
}

@Test func trainAndEvalPropagateToEveryDescendant() {
  let tree = Tree()
  #expect(tree.namedModules().allSatisfy { $0.module.isTraining })
  tree.eval()
  #expect(tree.namedModules().allSatisfy { !$0.module.isTraining })
  tree.rest.train()
  #expect(!tree.isTraining && !tree.first.isTraining && tree.rest.layers.allSatisfy(\.isTraining))
  tree.train()
  #expect(tree.namedModules().allSatisfy { $0.module.isTraining })
}

@Test func moduleGradientsAreKeyedAndMatchTheFunctionalGradients() {
  let model = Sequential([
    Linear(3, 4, key: RandomKey(seed: 3)), ReLU(), Linear(4, 2, key: RandomKey(seed: 4)),
  ])
  let x = makeTestTensor([5, 3], seed: 9)
  let before = model.stateDictionary()
  let (value, gradients) = valueAndGradient(of: model) { m in m(x).squared().mean() }
  let parameters = model.namedParameters()
  let (expectedValue, expected) = valueAndGradient(at: parameters.map(\.tensor)) { p in
    linear(relu(linear(x, weight: p[0], bias: p[1])), weight: p[2], bias: p[3]).squared().mean()
  }
  expectClose(value, expectedValue)
  #expect(Set(gradients.keys) == ["0.weight", "0.bias", "2.weight", "2.bias"])
  for (index, parameter) in parameters.enumerated() {
    expectClose(gradients[parameter.key]!, expected[index], absolute: 1e-6, relative: 1e-5, parameter.key)
  }
  for (key, tensor) in model.namedTensors() {
    #expect(tensor.isBitIdentical(to: before[key]!) && !tensor.isTracked, "\(key) restored untracked")
  }
}

@Test func unusedParametersGetZeroGradients() {
  let tree = Tree()
  let (_, gradients) = valueAndGradient(of: tree) { $0.first(Tensor(ones: [1, 3])).sum() }
  #expect(gradients["rest.1.weight"]!.scalars.allSatisfy { $0 == 0 })
  #expect(gradients["first.bias"]!.scalars == [1, 1, 1, 1])
}
