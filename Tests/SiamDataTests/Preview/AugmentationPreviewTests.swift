import Foundation
import SiamTensor
import Testing

@testable import SiamData

@Suite struct AugmentationPreviewTests {
  static let dataset: Dataset = {
    let bytes = (0..<(4 * 3 * 10 * 10)).map { UInt8($0 % 256) }
    return Dataset(name: "tiny", imageShape: [3, 10, 10], classCount: 2, pixels: .uint8(bytes), labels: [0, 1, 0, 1])
  }()

  func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("siam-preview-\(UUID().uuidString)-\(name)").path
  }

  /// Big-endian `UInt32` at `offset`.
  func word(_ bytes: [UInt8], _ offset: Int) -> Int {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
  }

  @Test func writesPNGWithGridSize() throws {
    let chains = [
      AugmentationPreset.simclr.makeChain(size: 8, channels: 3),
      AugmentationPreset.simclr.makeChain(size: 4, channels: 3),
    ]
    let path = temporaryPath("grid.png")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try AugmentationPreview.write(
      to: path, dataset: Self.dataset, sampleIndices: [0, 2, 3], chains: chains, viewsPerChain: 3, seed: 1, scale: 2,
      gap: 2)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(Array(bytes[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    #expect(word(bytes, 8) == 13)
    #expect(String(decoding: bytes[12..<16], as: UTF8.self) == "IHDR")
    // 7 columns (original + 2 × 3 views) of 20 px cells, 3 rows, gaps of 2.
    #expect(word(bytes, 16) == 2 + 7 * 22)
    #expect(word(bytes, 20) == 2 + 3 * 22)
    #expect(bytes[24] == 8 && bytes[25] == 2)  // 8-bit RGB
    #expect(String(decoding: bytes[(bytes.count - 8)..<(bytes.count - 4)], as: UTF8.self) == "IEND")
  }

  @Test func grayDatasetGivesGrayPicture() throws {
    let gray = Dataset(
      name: "g", imageShape: [1, 4, 4], classCount: 1, pixels: .float32((0..<16).map { Float($0) / 15 }), labels: [0])
    let picture = try AugmentationPreview.makePicture(
      dataset: gray, sampleIndices: [0], chains: [AugmentationChain()], viewsPerChain: 1, scale: 1, gap: 1)
    #expect(picture.channels == 1 && picture.width == 1 + 2 * 5 && picture.height == 1 + 5)
    // The original's first row starts at (1, 1): 0, 1/15·255 = 17, 34, 51.
    #expect(Array(picture.bytes[(picture.width + 1)..<(picture.width + 5)]) == [0, 17, 34, 51])
    #expect(picture.bytes[0] == 255)
    let png = try PNGEncoder.encode(picture)
    #expect(png[25] == 0)  // gray
  }

  @Test func unwritablePathAndBadRequestsThrow() {
    let chains = [AugmentationChain()]
    #expect(throws: PreviewError.self) {
      try AugmentationPreview.write(
        to: "/nonexistent-siam-folder/x.png", dataset: Self.dataset, sampleIndices: [0], chains: chains)
    }
    #expect(throws: PreviewError.invalidRequest("sample 9 is out of range 0..<4 of tiny")) {
      try AugmentationPreview.makePicture(dataset: Self.dataset, sampleIndices: [9], chains: chains)
    }
    #expect(throws: PreviewError.self) {
      try AugmentationPreview.makePicture(dataset: Self.dataset, sampleIndices: [], chains: chains)
    }
  }
}
