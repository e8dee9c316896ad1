import CSiamKernels
import Foundation

// Siam's own direct convolutions on the blocked `nChw8c` layout (`CSiamKernels`, C with
// AVX2 + FMA intrinsics, chosen at run time from the CPU's flags). The convolution stacks
// use them for every stage whose input is already blocked; oneDNN keeps the first stage
// (a plain `NCHW` image) and every stage on a CPU without AVX2 + FMA.
//
// Why not oneDNN for those stages: on the `convnet`'s stride-2 shapes oneDNN 2.6's JIT
// kernels ran at 46–72 GFLOP/s a core inside a training step (about half of the core's
// FMA peak), plus a stream, memory objects and a zeroed parameter block per call; these
// kernels tile 6 output pixels × 2 channel blocks in registers and measured 59–92 GFLOP/s
// on the same chunks (BENCHMARKS.md). Each call walks one chunk in a fixed order, so a
// chunk's bits never depend on the thread that runs it.

/// The direct kernels for one convolution shape (any batch: the image count is a call
/// argument). Weights are reordered once per call of the stack.
final class DirectConvolution: @unchecked Sendable {
  let shape: OneDNNConvShape
  private let plan: OpaquePointer

  /// Whether this CPU runs the kernels (AVX2 and FMA).
  static let isAvailable = siam_conv_kernels_available() != 0
  /// Whether the convolution stacks use them: available, and not switched off with
  /// `SIAM_DIRECT_CONV=0` (then oneDNN runs every stage, for comparisons).
  static let isEnabled = isAvailable && ProcessInfo.processInfo.environment["SIAM_DIRECT_CONV"] != "0"

  /// Most floats of one image's input or output the kernels take: their offsets are
  /// 32-bit, and a group of images is addressed from one pointer.
  static let largestImage = 1 << 26

  /// nil when the kernels do not apply: a plain source, channel counts that are not
  /// multiples of 8, an image larger than `largestImage`, or a CPU without AVX2 + FMA.
  init?(_ shape: OneDNNConvShape) {
    guard Self.isAvailable, !shape.plainSource, shape.channels % 8 == 0, shape.filters % 8 == 0,
      shape.channels * shape.height * shape.width <= Self.largestImage,
      shape.filters * max(shape.outHeight, 0) * max(shape.outWidth, 0) <= Self.largestImage
    else { return nil }
    let s = siam_conv_shape(
      channels: Int32(shape.channels), height: Int32(shape.height), width: Int32(shape.width),
      filters: Int32(shape.filters), kernel: Int32(shape.kernel), stride: Int32(shape.stride),
      padding: Int32(shape.padding))
    guard let plan = siam_conv_plan_create(s) else { return nil }
    self.shape = shape
    self.plan = plan
  }

  deinit { siam_conv_plan_destroy(plan) }

  /// Elements of the weights (and of a weight gradient) in any of the kernels' layouts.
  var weightCount: Int { shape.filters * shape.channels * shape.kernel * shape.kernel }

  /// `OIHW` weights into the forward layout, or into backward data's when `forData`.
  func reorderWeights(_ plain: UnsafePointer<Float>, into blocked: UnsafeMutablePointer<Float>, forData: Bool) {
    if forData {
      siam_conv_reorder_data_weights(plan, plain, blocked)
    } else {
      siam_conv_reorder_forward_weights(plan, plain, blocked)
    }
  }

  /// A weight gradient in the forward layout back to `OIHW`.
  func reorderWeightGradient(_ blocked: UnsafePointer<Float>, to plain: UnsafeMutablePointer<Float>) {
    siam_conv_reorder_weight_gradient(plan, blocked, plain)
  }

  /// `destination = conv(source, weights)` for `images` images.
  func forward(
    images: Int, source: UnsafePointer<Float>, weights: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>
  ) {
    let start = KernelTimes.begin()
    siam_conv_forward(plan, Int32(images), source, weights, destination)
    KernelTimes.record(.forward, shape, images: images, since: start)
  }

  /// `sourceGradient = convᵀ(destinationGradient, weights)` (backward data's layout).
  func backwardData(
    images: Int, destinationGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    sourceGradient: UnsafeMutablePointer<Float>
  ) {
    let start = KernelTimes.begin()
    siam_conv_backward_data(plan, Int32(images), destinationGradient, weights, sourceGradient)
    KernelTimes.record(.backwardData, shape, images: images, since: start)
  }

  /// `weightGradient += Σ_images source ⋆ destinationGradient` (forward layout), image
  /// after image.
  func accumulateWeightGradient(
    images: Int, source: UnsafePointer<Float>, destinationGradient: UnsafePointer<Float>,
    into weightGradient: UnsafeMutablePointer<Float>
  ) {
    let start = KernelTimes.begin()
    siam_conv_backward_weights(plan, Int32(images), source, destinationGradient, weightGradient)
    KernelTimes.record(.backwardWeights, shape, images: images, since: start)
  }
}

extension DirectConvolution {
  /// `images` plain `NCHW` images of `channels` (a multiple of 8) planes → `nChw8c`.
  static func toBlocked(
    _ plain: UnsafePointer<Float>, images: Int, channels: Int, plane: Int, into blocked: UnsafeMutablePointer<Float>
  ) {
    siam_to_blocked(Int32(images), Int32(channels), Int32(plane), plain, blocked)
  }

  /// `nChw8c` → plain `NCHW`.
  static func toPlain(
    _ blocked: UnsafePointer<Float>, images: Int, channels: Int, plane: Int, into plain: UnsafeMutablePointer<Float>
  ) {
    siam_to_plain(Int32(images), Int32(channels), Int32(plane), blocked, plain)
  }
}
