// Softmax, logSumExp, cross entropy and L2 normalisation, composed from primitives.

/// `log Σ exp(x)` along `axis`, computed stably as `m + log Σ exp(x − m)` with
/// `m = max(x)` held constant (the result does not depend on `m`, so no gradient flows
/// through it).
///
/// Shape: removes `axis`, or keeps it with extent 1 when `keepingDimensions`.
public func logSumExp(_ x: Tensor, alongAxis axis: Int = -1, keepingDimensions: Bool = false) -> Tensor {
  let m = x.max(alongAxis: axis, keepingDimensions: true).detached()
  let shifted = exp(x - m).sum(alongAxis: axis, keepingDimensions: true)
  let result = log(shifted) + m
  if keepingDimensions { return result }
  var squeezed = x.shape
  squeezed.remove(at: axis < 0 ? axis + x.rank : axis)
  return result.reshaped(to: squeezed)
}

/// `exp(x) / Σ exp(x)` along `axis`, as `exp(x − logSumExp(x))`. Shape: unchanged.
public func softmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
  exp(logSoftmax(x, alongAxis: axis))
}

/// `x − logSumExp(x)` along `axis`. Shape: unchanged.
public func logSoftmax(_ x: Tensor, alongAxis axis: Int = -1) -> Tensor {
  x - logSumExp(x, alongAxis: axis, keepingDimensions: true)
}

/// A `[N, classes]` matrix with a 1 at `(i, labels[i])` and zeros elsewhere.
public func oneHot(_ labels: [Int], classes: Int) -> Tensor {
  var result = Tensor(zeros: [labels.count, classes])
  result.withUnsafeMutableBufferPointer { p in
    for (row, label) in labels.enumerated() {
      precondition(label >= 0 && label < classes, "label \(label) out of range 0..<\(classes)")
      p[row * classes + label] = 1
    }
  }
  return result
}

/// Mean cross entropy of integer labels under softmax of the logits:
/// `(1/N) Σᵢ [logSumExp(logitsᵢ) − logitsᵢ,yᵢ]`.
///
/// Shapes: `logits` `[N, C]`, `labels` `N` integers in `0..<C`; result `[]`.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
  precondition(
    logits.rank == 2 && logits.shape[0] == labels.count,
    "crossEntropy: logits \(logits.shape) for \(labels.count) labels")
  let picked = (logits * oneHot(labels, classes: logits.shape[1])).sum(alongAxis: 1)
  return (logSumExp(logits, alongAxis: 1) - picked).mean()
}

/// `x / max(‖x‖₂, ε)` along `axis` (PyTorch's `F.normalize`), computed as
/// `x / sqrt(max(Σx², ε²))` so that a zero vector has a finite gradient.
///
/// Shape: unchanged.
public func l2Normalized(_ x: Tensor, alongAxis axis: Int = -1, epsilon: Float = 1e-12) -> Tensor {
  let squaredNorm = (x * x).sum(alongAxis: axis, keepingDimensions: true)
  return x / sqrt(squaredNorm.clamped(min: epsilon * epsilon))
}
