/// Builds a `Dataset` from a pair of NumPy files: images and integer labels.
///
/// Images: `[N, H, W]` (one channel), `[N, H, W, C]` with `C` ∈ {1, 3} (NumPy's usual
/// channel-last layout, converted to `C, H, W`), or `[N, C, H, W]` with `layout: .nchw`.
/// `uint8` images stay bytes (value / 255); `float32` and `float64` images become floats
/// used as they are. Labels: a 1-D `int64`, `int32` or `uint8` array of length `N`.
public enum NPYDataset {
  /// The axis order of a 4-D image array.
  public enum Layout: String, Sendable, Hashable, Codable, CaseIterable {
    /// `[N, H, W, C]` (channel last, as images usually come out of PIL/NumPy).
    case nhwc
    /// `[N, C, H, W]` (channel first, as from PyTorch).
    case nchw
  }

  /// Loads images and labels from two `.npy` files.
  ///
  /// - Parameters:
  ///   - images: Path of the image array.
  ///   - labels: Path of the label array.
  ///   - layout: Axis order of a 4-D image array (ignored for 3-D arrays).
  ///   - classCount: The number of classes; `nil` uses the largest label + 1.
  ///   - name: The dataset's name.
  /// - Throws: `DataError` for missing or malformed files (see `NPYArray.read`),
  ///   `.unsupported` for an image rank or channel count this loader does not take,
  ///   `.countMismatch` when image and label counts differ, `.badLabel`.
  /// - Complexity: O(N·C·H·W); a channel-last array is transposed once.
  public static func load(images: String, labels: String, layout: Layout = .nhwc, classCount: Int? = nil, name: String)
    throws -> Dataset
  {
    let imageArray = try NPYArray.read(images)
    let labelArray = try NPYArray.read(labels)
    let (count, shape) = try imageGeometry(imageArray.shape, layout: layout, path: images)

    guard labelArray.shape.count == 1 else {
      throw DataError(.unsupported, "labels must be a 1-D array, found shape \(labelArray.shape)", path: labels)
    }
    guard let labelValues = labelArray.values.integers else {
      throw DataError(
        .unsupported,
        "labels must be integers (int64, int32 or uint8), found \(labelArray.values.descr); convert with labels.astype(numpy.int64)",
        path: labels)
    }
    guard labelValues.count == count else {
      throw DataError(
        .countMismatch,
        "\(count) images in \(images) but \(labelValues.count) labels; the two files must describe the same samples",
        path: labels)
    }
    if let negative = labelValues.firstIndex(where: { $0 < 0 }) {
      throw DataError(.badLabel, "label \(labelValues[negative]) of sample \(negative) is negative", path: labels)
    }
    let classes = classCount ?? ((labelValues.max() ?? 0) + 1)
    guard classes > 0 else {
      throw DataError(.invalidOption, "classCount must be positive, got \(classes)", path: labels)
    }
    try checkLabels(labelValues, classCount: classes, path: labels)

    let channelLast = imageArray.shape.count == 4 && layout == .nhwc && shape[0] > 1
    let pixels: Dataset.Pixels
    switch imageArray.values {
    case .uint8(let bytes):
      pixels = .uint8(channelLast ? channelsFirst(bytes, count: count, shape: shape) : bytes)
    case .float32(let floats):
      pixels = .float32(channelLast ? channelsFirst(floats, count: count, shape: shape) : floats)
    case .float64(let doubles):
      let floats = doubles.map { Float($0) }
      pixels = .float32(channelLast ? channelsFirst(floats, count: count, shape: shape) : floats)
    case .int32, .int64:
      throw DataError(
        .unsupported,
        "images must be uint8, float32 or float64, found \(imageArray.values.descr); convert with images.astype(numpy.uint8)",
        path: images)
    }
    return Dataset(name: name, imageShape: shape, classCount: classes, pixels: pixels, labels: labelValues)
  }

  /// `N` and `[C, H, W]` of an image array's shape.
  static func imageGeometry(_ shape: [Int], layout: Layout, path: String) throws -> (count: Int, imageShape: [Int]) {
    switch shape.count {
    case 3:
      guard shape[1] > 0, shape[2] > 0 else { break }
      return (shape[0], [1, shape[1], shape[2]])
    case 4 where layout == .nhwc:
      guard [1, 3].contains(shape[3]) else {
        throw DataError(
          .unsupported,
          "shape \(shape) read as [N, H, W, C] has \(shape[3]) channels (1 or 3 supported); if the array is [N, C, H, W], set the layout to nchw",
          path: path)
      }
      guard shape[1] > 0, shape[2] > 0 else { break }
      return (shape[0], [shape[3], shape[1], shape[2]])
    case 4:
      guard shape[1] > 0, shape[2] > 0, shape[3] > 0 else { break }
      return (shape[0], [shape[1], shape[2], shape[3]])
    default:
      throw DataError(
        .unsupported,
        "images must be [N, H, W], [N, H, W, C] or [N, C, H, W]; found shape \(shape)", path: path)
    }
    throw DataError(.badHeader, "zero image extent in shape \(shape)", path: path)
  }

  /// `count` images from `H, W, C` order to `C, H, W` (`shape` is `[C, H, W]`).
  static func channelsFirst<T>(_ values: [T], count: Int, shape: [Int]) -> [T] {
    let (c, h, w) = (shape[0], shape[1], shape[2])
    let plane = h * w
    let perImage = c * plane
    guard let first = values.first else { return values }
    var result = [T](repeating: first, count: values.count)
    values.withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { target in
        let s = source.baseAddress!
        let t = target.baseAddress!
        for n in 0..<count {
          let base = n &* perImage
          for p in 0..<plane {
            let from = base &+ p &* c
            for channel in 0..<c { t[base &+ channel &* plane &+ p] = s[from &+ channel] }
          }
        }
      }
    }
    return result
  }
}
