import SiamTensor
import Testing

/// Central-difference gradient checks.
///
/// The function's (possibly non-scalar) output `y` is reduced to `L = Σ wᵢ yᵢ` with fixed
/// random weights `w`, so every output element contributes. The analytic gradient of `L`
/// comes from `valueAndGradient`; the numerical one is `(L(x+h) − L(x−h)) / 2h` per input
/// element, with `L` summed in `Double` from the `Float` outputs.
public enum GradientCheck {
  /// The weighted-sum objective used by both gradients.
  static func objective(_ y: Tensor, weights: Tensor) -> Double {
    zip(y.scalars, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
  }

  /// Numerical gradients of `Σ wᵢ f(inputs)ᵢ` by central differences with step `h`.
  public static func numericalGradients(
    at inputs: [Tensor], step h: Float, weights: Tensor, of function: ([Tensor]) -> Tensor
  ) -> [[Double]] {
    inputs.indices.map { which in
      (0..<inputs[which].count).map { element in
        var plus = inputs
        var minus = inputs
        let original = inputs[which].scalars[element]
        plus[which].withUnsafeMutableBufferPointer { $0[element] = original + h }
        minus[which].withUnsafeMutableBufferPointer { $0[element] = original - h }
        let h2 = Double(plus[which].scalars[element]) - Double(minus[which].scalars[element])
        return (objective(function(plus), weights: weights) - objective(function(minus), weights: weights)) / h2
      }
    }
  }

  /// Records an issue (at the caller) for every input whose analytic gradient differs
  /// from the central-difference one beyond `absolute + relative·|numerical|`.
  ///
  /// - Parameters:
  ///   - inputs: Where to differentiate; keep them small (each element costs two calls).
  ///   - differentiable: Indices of inputs to check (default: all).
  ///   - step: The finite-difference step `h`.
  public static func check(
    _ name: String, at inputs: [Tensor], differentiable: [Int]? = nil, step: Float = 1e-3,
    absolute: Double = 2e-3, relative: Double = 2e-3,
    sourceLocation: SourceLocation = #_sourceLocation,
    of function: @escaping ([Tensor]) -> Tensor
  ) {
    let output = function(inputs)
    let weights = makeTestTensor(output.shape, seed: 0xC0FFEE, lower: 0.5, upper: 1.5)
    let (_, analytic) = valueAndGradient(at: inputs) { xs in (function(xs) * weights).sum() }
    let numerical = numericalGradients(at: inputs, step: step, weights: weights, of: function)
    for i in differentiable ?? Array(inputs.indices) {
      #expect(
        analytic[i].shape == inputs[i].shape, "\(name): gradient shape for input \(i)", sourceLocation: sourceLocation)
      expectClose(
        analytic[i].scalars.map(Double.init), numerical[i], absolute: absolute, relative: relative,
        "\(name): input \(i)", sourceLocation: sourceLocation)
    }
  }
}
