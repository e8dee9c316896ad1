/// The shapes of one 2-D convolution (or pooling window) and how its batch is cut into
/// chunks of images for the im2col + sgemm kernels.
///
/// Shapes: input `[N, C, H, W]`, weight `[F, C, KH, KW]`, output `[N, F, OH, OW]` with
/// `OH = (H + 2·padding − KH) / stride + 1` (and the same for `OW`).
struct ConvGeometry: Sendable, Equatable {
  let batch: Int, channels: Int, height: Int, width: Int
  let filters: Int, kernelHeight: Int, kernelWidth: Int
  let stride: Int, padding: Int
  let outHeight: Int, outWidth: Int

  /// Validates a convolution's shapes (programmer errors trap with the values).
  init(input: [Int], weight: [Int], stride: Int, padding: Int, operation: String = "conv2d") {
    precondition(input.count == 4, "\(operation): input must be [N, C, H, W], got \(input)")
    precondition(weight.count == 4, "\(operation): weight must be [F, C, KH, KW], got \(weight)")
    precondition(
      input[1] == weight[1],
      "\(operation): input \(input) has \(input[1]) channels, weight \(weight) expects \(weight[1])")
    self.init(
      batch: input[0], channels: input[1], height: input[2], width: input[3], filters: weight[0],
      kernelHeight: weight[2], kernelWidth: weight[3], stride: stride, padding: padding, operation: operation)
  }

  init(
    batch: Int, channels: Int, height: Int, width: Int, filters: Int,
    kernelHeight: Int, kernelWidth: Int, stride: Int, padding: Int, operation: String
  ) {
    precondition(stride >= 1, "\(operation): stride must be at least 1, got \(stride)")
    precondition(padding >= 0, "\(operation): padding must be non-negative, got \(padding)")
    precondition(kernelHeight >= 1 && kernelWidth >= 1, "\(operation): empty kernel \(kernelHeight)×\(kernelWidth)")
    precondition(
      height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
      "\(operation): kernel \(kernelHeight)×\(kernelWidth) larger than the padded input \(height)×\(width) (padding \(padding))"
    )
    self.batch = batch
    self.channels = channels
    self.height = height
    self.width = width
    self.filters = filters
    self.kernelHeight = kernelHeight
    self.kernelWidth = kernelWidth
    self.stride = stride
    self.padding = padding
    self.outHeight = (height + 2 * padding - kernelHeight) / stride + 1
    self.outWidth = (width + 2 * padding - kernelWidth) / stride + 1
  }

  /// Rows of the column matrix: `C·KH·KW`.
  var patchSize: Int { channels * kernelHeight * kernelWidth }
  var inputPlane: Int { height * width }
  var inputImage: Int { channels * inputPlane }
  var outputPlane: Int { outHeight * outWidth }
  var outputImage: Int { filters * outputPlane }
  var outputShape: [Int] { [batch, filters, outHeight, outWidth] }

  // MARK: - Chunking

  /// Columns (output pixels) one im2col panel aims at. Measured on Zen 3 (2 cores,
  /// OpenBLAS Haswell kernels) over the default convnet at N = 512: 256 and 512 tie,
  /// 1024 is ~8 % slower and 3072 ~20 % slower (the panel, `C·KH·KW × 512` floats, and
  /// sgemm's packed blocks then no longer share the 512 KiB L2).
  static let targetPanelColumns = 512

  /// Images per chunk. A function of the shapes only, never of the thread count, so that
  /// every sgemm call (and hence every rounding) is the same however chunks are scheduled.
  var imagesPerChunk: Int {
    max(1, min(batch, Self.targetPanelColumns / max(outputPlane, 1)))
  }

  var chunkCount: Int { (batch + imagesPerChunk - 1) / imagesPerChunk }

  /// The images of chunk `index`.
  func images(inChunk index: Int) -> Range<Int> {
    let start = index * imagesPerChunk
    return start..<min(batch, start + imagesPerChunk)
  }

  // MARK: - Windows

  /// The output positions `o` whose input coordinate `o·stride − padding + offset` lies in
  /// `0..<inputExtent` (a contiguous range; everything outside reads padding).
  func validOutputs(offset: Int, inputExtent: Int, outputExtent: Int) -> Range<Int> {
    let low = padding - offset
    let lower = low <= 0 ? 0 : min(outputExtent, (low + stride - 1) / stride)
    let high = inputExtent - 1 + padding - offset
    let upper = high < 0 ? 0 : min(outputExtent, high / stride + 1)
    return lower..<max(lower, upper)
  }

  /// `validOutputs` for every kernel row and for every kernel column.
  func validWindows() -> (rows: [Range<Int>], columns: [Range<Int>]) {
    (
      (0..<kernelHeight).map { validOutputs(offset: $0, inputExtent: height, outputExtent: outHeight) },
      (0..<kernelWidth).map { validOutputs(offset: $0, inputExtent: width, outputExtent: outWidth) }
    )
  }
}
