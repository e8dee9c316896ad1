import Foundation

/// Records the primitives of one differentiated computation, in execution order.
///
/// A `Tape` lives for one call of `valueAndGradient`; tensors computed from tracked
/// inputs carry a `Tracker` pointing at their node. Trackers hold the tape weakly, so
/// a tensor that escapes the computation simply becomes untracked and no reference cycle
/// forms through the pullback closures.
final class Tape: @unchecked Sendable {
  struct Node {
    /// Tape indices of the inputs, `nil` for untracked inputs.
    let inputs: [Int?]
    /// Maps the gradient of the node's output to the gradients of its inputs.
    let pullback: ((Tensor) -> [Tensor?])?
  }

  private(set) var nodes: [Node] = []
  /// False while gradients are propagated: pullbacks compute with plain values.
  var isRecording = true

  func append(_ node: Node) -> Int {
    nodes.append(node)
    return nodes.count - 1
  }
}

/// Marks a tensor as the output of node `index` on `tape`.
final class Tracker: @unchecked Sendable {
  weak var tape: Tape?
  let index: Int

  init(tape: Tape, index: Int) {
    self.tape = tape
    self.index = index
  }
}

extension Tensor {
  /// The tape and node of a tensor that takes part in a live differentiated computation.
  var trackedNode: (tape: Tape, index: Int)? {
    guard let tracker, let tape = tracker.tape, tape.isRecording else { return nil }
    return (tape, tracker.index)
  }

  /// Whether gradients flow into this tensor (it is tracked by a live tape).
  public var isTracked: Bool { trackedNode != nil }

  /// Records `self` (the result of a primitive) with its inputs and pullback.
  ///
  /// Every differentiable primitive ends with this call. When no input is tracked it
  /// returns `self` unchanged and the pullback is never stored.
  ///
  /// - Parameters:
  ///   - inputs: The primitive's tensor inputs, in the order the pullback returns gradients.
  ///   - pullback: Given the gradient of `self`, the gradient of each input (`nil` for none).
  ///     It must return tensors with exactly the inputs' shapes.
  @inlinable
  public func recorded(inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
    recordedImpl(inputs: inputs, pullback: pullback)
  }

  @usableFromInline
  func recordedImpl(inputs: [Tensor], pullback: @escaping (Tensor) -> [Tensor?]) -> Tensor {
    var tape: Tape?
    var indices: [Int?] = []
    indices.reserveCapacity(inputs.count)
    for input in inputs {
      if let node = input.trackedNode {
        precondition(tape == nil || tape === node.tape, "tensors from two different tapes combined")
        tape = node.tape
        indices.append(node.index)
      } else {
        indices.append(nil)
      }
    }
    guard let tape else { return self }
    var result = self
    result.tracker = Tracker(tape: tape, index: tape.append(.init(inputs: indices, pullback: pullback)))
    return result
  }

  /// The same values with gradient flow cut (stop-gradient).
  public func detached() -> Tensor {
    var result = self
    result.tracker = nil
    return result
  }
}

/// Evaluates `function` at `inputs` and returns its value with the gradient of the sum of
/// its elements with respect to each input.
///
/// This is the engine's one entry point to reverse-mode differentiation; methods, layers
/// and tests all use it. Inputs that do not influence the result get zero gradients.
///
/// - Parameters:
///   - inputs: The points to differentiate at.
///   - function: The computation; usually returns a scalar loss. For a non-scalar result
///     the seed gradient is all ones.
/// - Returns: The value (untracked) and one gradient per input, shaped like the input.
public func valueAndGradient(
  at inputs: [Tensor],
  of function: ([Tensor]) -> Tensor
) -> (value: Tensor, gradients: [Tensor]) {
  let tape = Tape()
  let tracked = inputs.map { input -> Tensor in
    var leaf = input
    leaf.tracker = Tracker(tape: tape, index: tape.append(.init(inputs: [], pullback: nil)))
    return leaf
  }
  let output = function(tracked)
  let outputNode = output.trackedNode
  tape.isRecording = false
  var gradients = [Tensor?](repeating: nil, count: tape.nodes.count)
  if let node = outputNode {
    precondition(node.tape === tape, "the function returned a tensor from another computation")
    gradients[node.index] = Tensor(ones: output.shape)
  }
  backpropagate(tape, &gradients, leafCount: inputs.count)
  let inputGradients = inputs.indices.map { i in
    gradients[i] ?? Tensor(zeros: inputs[i].shape)
  }
  return (output.detached(), inputGradients)
}

/// Walks the tape backwards, accumulating gradients into each node's inputs.
private func backpropagate(_ tape: Tape, _ gradients: inout [Tensor?], leafCount: Int) {
  var index = tape.nodes.count - 1
  while index >= leafCount {
    defer { index -= 1 }
    guard let gradient = gradients[index], let pullback = tape.nodes[index].pullback else { continue }
    gradients[index] = nil
    let node = tape.nodes[index]
    let inputGradients = pullback(gradient)
    precondition(
      inputGradients.count == node.inputs.count,
      "pullback returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
    for (input, inputGradient) in zip(node.inputs, inputGradients) {
      guard let input, let inputGradient else { continue }
      if gradients[input] == nil {
        gradients[input] = inputGradient.detached()
      } else {
        gradients[input]!.addInPlace(inputGradient)
      }
    }
  }
}
