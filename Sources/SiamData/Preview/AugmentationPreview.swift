import SiamTensor

/// A picture of what augmentation chains do: one row per sample, the original first and
/// then `viewsPerChain` augmented views of every chain, cells separated by a gap.
///
/// Layout: every cell is as large as the largest image of the grid (times `scale`, nearest
/// neighbour), smaller images (multi-crop views) sit at its centre; gaps and unused cell
/// area are white. Pixels in `[0, 1]` map to `round(255 · x)`; an image with values outside
/// `[0, 1]` (a chain that normalises) is stretched from its own minimum to its maximum.
/// The picture is gray when every image has one channel, RGB otherwise (gray repeated).
///
/// Randomness: view `k` of chain `j` of sample `i` uses
/// `RandomKey(seed: seed).folded(in: "preview").folded(in: i).folded(in: j).folded(in: k)`.
public enum AugmentationPreview {
  /// The preview grid as pixels.
  ///
  /// - Parameters:
  ///   - dataset: Source of the samples.
  ///   - sampleIndices: The samples, one row each (at least one, in range).
  ///   - chains: The chains to show (e.g. the two views of a method).
  ///   - viewsPerChain: Augmented views per chain and sample (≥ 1).
  ///   - seed: Root of the draws.
  ///   - scale: Integer magnification (≥ 1), for 28 px images 3 or 4.
  ///   - gap: Pixels between cells and around the grid.
  /// - Throws: `PreviewError.invalidRequest` for an empty or out-of-range request.
  public static func makePicture(
    dataset: Dataset, sampleIndices: [Int], chains: [AugmentationChain], viewsPerChain: Int = 4, seed: UInt64 = 0,
    scale: Int = 1, gap: Int = 2
  ) throws -> PreviewPicture {
    guard !sampleIndices.isEmpty else { throw PreviewError.invalidRequest("no samples to show") }
    if let bad = sampleIndices.first(where: { $0 < 0 || $0 >= dataset.count }) {
      throw PreviewError.invalidRequest("sample \(bad) is out of range 0..<\(dataset.count) of \(dataset.name)")
    }
    guard viewsPerChain >= 1, scale >= 1, gap >= 0 else {
      throw PreviewError.invalidRequest(
        "viewsPerChain and scale must be ≥ 1 and gap ≥ 0, got \(viewsPerChain), \(scale), \(gap)")
    }
    let root = RandomKey(seed: seed).folded(in: "preview")
    let rows: [[Image]] = sampleIndices.map { sample in
      let original = dataset.image(at: sample)
      var cells = [original]
      for (j, chain) in chains.enumerated() {
        for k in 0..<viewsPerChain {
          let key = root.folded(in: UInt64(sample)).folded(in: UInt64(j)).folded(in: UInt64(k))
          cells.append(chain.apply(original, key: key))
        }
      }
      return cells
    }
    let images = rows.flatMap { $0 }
    let cellHeight = images.map(\.height).max()! * scale
    let cellWidth = images.map(\.width).max()! * scale
    let channels = images.contains { $0.channels != 1 } ? 3 : 1
    let columns = rows[0].count
    let width = gap + columns * (cellWidth + gap)
    let height = gap + rows.count * (cellHeight + gap)
    var bytes = [UInt8](repeating: 255, count: width * height * channels)
    for (r, row) in rows.enumerated() {
      for (c, image) in row.enumerated() {
        let top = gap + r * (cellHeight + gap) + (cellHeight - image.height * scale) / 2
        let left = gap + c * (cellWidth + gap) + (cellWidth - image.width * scale) / 2
        draw(image, scale: scale, into: &bytes, pictureWidth: width, channels: channels, top: top, left: left)
      }
    }
    return PreviewPicture(width: width, height: height, channels: channels, bytes: bytes)
  }

  /// Makes the preview picture and writes it as a PNG file at `path`.
  ///
  /// - Throws: `PreviewError` when the request is invalid or the file cannot be written.
  public static func write(
    to path: String, dataset: Dataset, sampleIndices: [Int], chains: [AugmentationChain], viewsPerChain: Int = 4,
    seed: UInt64 = 0, scale: Int = 1, gap: Int = 2
  ) throws {
    let picture = try makePicture(
      dataset: dataset, sampleIndices: sampleIndices, chains: chains, viewsPerChain: viewsPerChain, seed: seed,
      scale: scale, gap: gap)
    try PNGEncoder.write(try PNGEncoder.encode(picture), to: path)
  }

  /// Copies `image` (magnified by `scale`) into the picture at `(top, left)`.
  private static func draw(
    _ image: Image, scale: Int, into bytes: inout [UInt8], pictureWidth: Int, channels: Int, top: Int, left: Int
  ) {
    let low = image.pixels.min() ?? 0
    let high = image.pixels.max() ?? 1
    let stretch = low < 0 || high > 1
    let offset: Float = stretch ? low : 0
    let factor: Float = stretch ? (high > low ? 255 / (high - low) : 0) : 255
    let plane = image.height * image.width
    for y in 0..<(image.height * scale) {
      for x in 0..<(image.width * scale) {
        let source = (y / scale) * image.width + x / scale
        let target = ((top + y) * pictureWidth + left + x) * channels
        for c in 0..<channels {
          let value = image.pixels[(image.channels == 1 ? 0 : c) * plane + source]
          bytes[target + c] = UInt8(min(max(((value - offset) * factor).rounded(), 0), 255))
        }
      }
    }
  }
}

extension AugmentationPreview {
  /// Up to `count` sample indices for a preview: the first sample of each class in class
  /// order, then further samples in dataset order, so the rows show different classes.
  public static func representativeSamples(of dataset: Dataset, count: Int) -> [Int] {
    var firstOfClass = [Int?](repeating: nil, count: dataset.classCount)
    for (index, label) in dataset.labels.enumerated() where label >= 0 && label < dataset.classCount {
      if firstOfClass[label] == nil { firstOfClass[label] = index }
    }
    var chosen = firstOfClass.compactMap { $0 }
    var next = 0
    while chosen.count < min(count, dataset.count) {
      if !chosen.contains(next) { chosen.append(next) }
      next += 1
    }
    return Array(chosen.prefix(count))
  }
}
