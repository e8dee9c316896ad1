// Matrix products over OpenBLAS `cblas_sgemm`, with all transpose cases handled by the
// BLAS call itself (no transposed copies).

/// `op(a) · op(b)` where `op` transposes when asked.
///
/// Shapes: `op(a)` is `[M, K]`, `op(b)` is `[K, N]`, the result `[M, N]`.
/// - Complexity: `2·M·N·K` floating-point operations (one `cblas_sgemm`).
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
  precondition(a.rank == 2 && b.rank == 2, "matmul needs matrices, got \(a.shape) and \(b.shape)")
  let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
  let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
  precondition(
    k == k2, "matmul inner extents differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
  let x = a.detached()
  let y = b.detached()
  let c = gemm(x, y, transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
  return c.recorded(inputs: [a, b]) { g in
    // C = op(A)·op(B): d op(A) = G·op(B)ᵀ, d op(B) = op(A)ᵀ·G, transposed back where needed.
    let ga =
      transposeA
      ? gemm(y, g, transposeA: transposeB, transposeB: true, m: k, n: m, k: n)
      : gemm(g, y, transposeA: false, transposeB: !transposeB, m: m, n: k, k: n)
    let gb =
      transposeB
      ? gemm(g, x, transposeA: true, transposeB: transposeA, m: n, n: k, k: m)
      : gemm(x, g, transposeA: !transposeA, transposeB: false, m: k, n: n, k: m)
    return [ga, gb]
  }
}

/// `op(a)·op(b)` into a new `[m, n]` tensor (untracked).
func gemm(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> Tensor {
  let c = Tensor(uninitializedShape: [m, n])
  BLAS.sgemm(
    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
    a: a.storage.base, b: b.storage.base, c: c.storage.base)
  withExtendedLifetime((a, b)) {}
  return c
}

/// A fully connected layer: `x · weightᵀ + bias` (PyTorch's weight layout).
///
/// Shapes: `x` `[N, In]`, `weight` `[Out, In]`, `bias` `[Out]`, result `[N, Out]`.
/// - Complexity: `2·N·In·Out` floating-point operations.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
  precondition(
    x.rank == 2 && weight.rank == 2 && x.shape[1] == weight.shape[1],
    "linear: input \(x.shape) does not match weight \(weight.shape)")
  let (n, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
  let input = x.detached()
  let w = weight.detached()
  let y = Tensor(uninitializedShape: [n, outputs])
  var beta: Float = 0
  if let bias {
    precondition(bias.shape == [outputs], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
    let yb = y.storage.base
    let bb = bias.storage.base
    for row in 0..<n { (yb + row * outputs).update(from: bb, count: outputs) }
    withExtendedLifetime(bias) {}
    beta = 1
  }
  BLAS.sgemm(
    transposeA: false, transposeB: true, m: n, n: outputs, k: inputs,
    a: input.storage.base, b: w.storage.base, beta: beta, c: y.storage.base)
  withExtendedLifetime((input, w)) {}
  let inputsList = bias.map { [x, weight, $0] } ?? [x, weight]
  return y.recorded(inputs: inputsList) { g in
    let gx = gemm(g, w, transposeA: false, transposeB: false, m: n, n: inputs, k: outputs)
    let gw = gemm(g, input, transposeA: true, transposeB: false, m: outputs, n: inputs, k: n)
    return bias == nil ? [gx, gw] : [gx, gw, g.summed(toShape: [outputs])]
  }
}
