/// Decoded images and labels of one split of a dataset, held in memory.
///
/// 8-bit sources (IDX, CIFAR, uint8 `.npy`) keep their bytes (a quarter of the memory of
/// floats, and the loader converts while it augments); float sources keep floats.
public struct Dataset: Sendable {
  /// Pixel storage, `count · C · H · W` values, sample after sample, each `C, H, W`.
  public enum Pixels: Sendable, Equatable {
    /// Bytes; pixel value = byte / 255.
    case uint8([UInt8])
    /// Floats, used as they are.
    case float32([Float])
  }

  /// A short name for messages and records (`fashion-mnist/train`).
  public let name: String
  /// `[C, H, W]` of every image.
  public let imageShape: [Int]
  /// Number of classes (labels are in `0..<classCount`).
  public let classCount: Int
  public let pixels: Pixels
  public let labels: [Int]

  public init(name: String, imageShape: [Int], classCount: Int, pixels: Pixels, labels: [Int]) {
    precondition(
      imageShape.count == 3 && imageShape.allSatisfy { $0 > 0 }, "imageShape must be [C, H, W], got \(imageShape)")
    let perImage = imageShape.reduce(1, *)
    let pixelCount: Int
    switch pixels {
    case .uint8(let bytes): pixelCount = bytes.count
    case .float32(let floats): pixelCount = floats.count
    }
    precondition(
      pixelCount == labels.count * perImage,
      "\(name): \(pixelCount) pixels for \(labels.count) images of shape \(imageShape)")
    self.name = name
    self.imageShape = imageShape
    self.classCount = classCount
    self.pixels = pixels
    self.labels = labels
  }

  /// Number of samples.
  public var count: Int { labels.count }

  /// The image of sample `index` as floats (bytes divided by 255).
  public func image(at index: Int) -> Image {
    precondition(index >= 0 && index < count, "\(name): sample \(index) out of range 0..<\(count)")
    let perImage = imageShape.reduce(1, *)
    let start = index * perImage
    let values: [Float]
    switch pixels {
    case .uint8(let bytes): values = bytes[start..<(start + perImage)].map { Float($0) * (1 / 255) }
    case .float32(let floats): values = Array(floats[start..<(start + perImage)])
    }
    return Image(channels: imageShape[0], height: imageShape[1], width: imageShape[2], pixels: values)
  }
}
