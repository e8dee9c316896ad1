import Foundation
import SiamTensor
import Testing
import _SiamTestSupport

@Suite struct TensorTests {
  @Test func copyOnWriteKeepsValueSemantics() {
    let a = Tensor([1, 2, 3])
    var b = a
    b[1] = 20
    #expect(a.scalars == [1, 2, 3])
    #expect(b.scalars == [1, 20, 3])
  }

  @Test func buffersAreAlignedAndReusedFromThePool() {
    // An unusual size, so that concurrently running tests do not take the buffer.
    let shape = [7, 1_777]
    var first: UnsafePointer<Float>? = nil
    do {
      let a = Tensor(zeros: shape)
      first = a.withUnsafeBufferPointer { $0.baseAddress }
    }
    let b = Tensor(uninitializedShape: shape)
    let second = b.withUnsafeBufferPointer { $0.baseAddress }
    #expect(first == second)
    #expect(Int(bitPattern: second) % 64 == 0)
  }

  @Test func broadcastShapes() {
    #expect(Broadcast.shape([3, 1], [1, 4]) == [3, 4])
    #expect(Broadcast.shape([2, 3, 4], [4]) == [2, 3, 4])
    #expect(Broadcast.shape([], [2]) == [2])
    #expect(Broadcast.shape([3], [4]) == nil)
  }

  @Test func broadcastArithmeticValues() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor([10, 20, 30])
    #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
    let c = Tensor(shape: [2, 1], scalars: [2, 3])
    #expect((a * c).scalars == [2, 4, 6, 12, 15, 18])
    #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
  }

  @Test func reductionValues() {
    let a = Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
    #expect(a.sum().scalar == 21)
    #expect(a.sum(alongAxis: 0).scalars == [5, 7, 9])
    #expect(a.sum(alongAxis: 1, keepingDimensions: true).shape == [2, 1])
    #expect(a.max(alongAxis: 1).scalars == [5, 6])
    #expect(a.max(alongAxis: 0).scalars == [4, 5, 6])
    #expect(a.mean(alongAxis: 1).scalars == [3, 4])
  }

  @Test func shapeOps() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(a.transposed().scalars == [1, 4, 2, 5, 3, 6])
    #expect(a.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
    #expect(concatenated([a, a], alongAxis: 1).scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
    #expect(a.reshaped(to: [-1]).shape == [6])
  }

  @Test func compositeValuesMatchHandComputation() {
    let x = Tensor(shape: [1, 3], scalars: [1, 2, 3])
    let lse = log(exp(1.0) + exp(2.0) + exp(3.0))
    #expect(abs(Double(logSumExp(x, alongAxis: 1).scalar) - lse) < 1e-5)
    expectClose(softmax(x).scalars.map(Double.init), [1, 2, 3].map { exp($0 - lse) }, absolute: 1e-6)
    // Cross entropy of label 2 is lse − 3.
    #expect(abs(Double(crossEntropy(logits: x, labels: [2]).scalar) - (lse - 3)) < 1e-5)
    let n = l2Normalized(Tensor(shape: [1, 2], scalars: [3, 4]), alongAxis: 1)
    expectClose(n.scalars.map(Double.init), [0.6, 0.8], absolute: 1e-6)
    // A zero vector stays zero with a finite gradient.
    let (value, gradients) = valueAndGradient(at: [Tensor(zeros: [1, 2])]) { l2Normalized($0[0]).sum() }
    #expect(value.scalar == 0)
    #expect(gradients[0].scalars.allSatisfy { $0.isFinite })
  }

  @Test func gradientOfUnusedInputIsZero() {
    let (_, g) = valueAndGradient(at: [Tensor([1, 2]), Tensor([3, 4])]) { $0[0].sum() }
    #expect(g[1].scalars == [0, 0])
    #expect(g[0].scalars == [1, 1])
  }

  @Test func gradientAccumulatesOverRepeatedUse() {
    // d/dx (x·x + x) = 2x + 1
    let (_, g) = valueAndGradient(at: [Tensor([1, -2])]) { ($0[0] * $0[0] + $0[0]).sum() }
    #expect(g[0].scalars == [3, -3])
  }

  @Test func escapedTensorsAreUntracked() {
    var escaped: Tensor? = nil
    _ = valueAndGradient(at: [Tensor([1, 2])]) { xs in
      escaped = xs[0] * 2
      return escaped!.sum()
    }
    #expect(escaped?.isTracked == false)
  }
}
