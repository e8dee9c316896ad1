import SiamTensor
import Testing
import _SiamTestSupport

/// One row of the gradient-check table: an op, its inputs and its tolerances.
struct GradientRow: Sendable, CustomTestStringConvertible {
  let name: String
  let inputs: [Tensor]
  var differentiable: [Int]? = nil
  var step: Float = 1e-3
  var absolute: Double = 2e-3
  var relative: Double = 2e-3
  let function: @Sendable ([Tensor]) -> Tensor

  var testDescription: String { name }

  /// Every group of rows; each op file of the engine contributes one group.
  static var all: [GradientRow] {
    elementwise + reductions + shapes + products + composites + convolution
  }
}
