import Foundation
import SiamData
import Testing

/// Checks against the real Fashion-MNIST from Debian's `dataset-fashion-mnist` package;
/// skipped when it is not installed (`sudo apt-get install dataset-fashion-mnist` or
/// `make setup`).
private let fashionMNISTIsInstalled = FileManager.default.fileExists(
  atPath: DatasetSource.defaultFashionMNISTPath + "/t10k-images-idx3-ubyte.gz")

@Suite(
  .enabled(
    if: fashionMNISTIsInstalled,
    "Fashion-MNIST is not installed in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)"))
struct FashionMNISTTests {
  @Test func testSplitMatchesTheKnownFiles() throws {
    let test = try DatasetSource.fashionMNIST().load(split: .test)
    #expect(test.name == "fashion-mnist/test")
    #expect(test.count == 10_000)
    #expect(test.imageShape == [1, 28, 28])
    #expect(test.classCount == 10)
    #expect(Array(test.labels.prefix(20)) == [9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5, 7, 3, 4, 1, 2, 4, 8, 0])
    #expect(test.classCounts == [Int](repeating: 1000, count: 10))
    // Byte sums stand in for the MD5 of the decompressed files (checked with Python's
    // hashlib: t10k-images 8181f5470baa50b63fa0f6fddb340f0a): the first image and all of them.
    let pixels = bytes(of: test)
    #expect(pixels.prefix(784).reduce(0) { $0 + Int($1) } == 33_456)
    #expect(pixels.reduce(0) { $0 + Int($1) } == 573_469_082)
  }

  @Test func trainSplitMatchesTheKnownFiles() throws {
    let train = try DatasetSource.fashionMNIST().load(split: .train)
    #expect(train.count == 60_000)
    #expect(train.imageShape == [1, 28, 28])
    #expect(Array(train.labels.prefix(20)) == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4])
    #expect(train.classCounts == [Int](repeating: 6000, count: 10))
    let pixels = bytes(of: train)
    #expect(pixels.prefix(784).reduce(0) { $0 + Int($1) } == 76_247)
  }

  @Test func hashIsStableAcrossLoads() throws {
    let source = DatasetSource.fashionMNIST()
    let a = try source.load(split: .test).contentHash()
    let b = try DatasetHashCache().contentHash(of: source, split: .test)
    #expect(a == b)
  }
}
