import SiamData
import Testing

@Suite struct MNISTTests {
  @Test(arguments: [false, true])
  func roundTripsPlainAndGzipFiles(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    let train = try writeMNISTSplit(in: dir, prefix: "train", count: 30, gzip: gzip)
    let test = try writeMNISTSplit(in: dir, prefix: "t10k", count: 12, gzip: gzip)
    let source = DatasetSource.mnist(path: dir.path)
    let trainSet = try source.load(split: .train)
    #expect(trainSet.name == "mnist/train")
    #expect(trainSet.count == 30)
    #expect(trainSet.imageShape == [1, 4, 5])
    #expect(trainSet.classCount == 10)
    #expect(trainSet.pixels == .uint8(train.pixels))
    #expect(trainSet.labels == train.labels)
    let testSet = try source.load(split: .test)
    #expect(testSet.count == 12)
    #expect(testSet.labels == test.labels)
    #expect(testSet.image(at: 1).pixels == test.pixels[20..<40].map { Float($0) * (1 / 255) })
  }

  @Test func idxEncodingIsBigEndianWithTheMnistMagic() {
    let encoded = IDXFile(dimensions: [2, 1, 3], bytes: [1, 2, 3, 4, 5, 6]).encoded()
    #expect(encoded == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
  }

  @Test func wrongMagicIsBadMagic() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 3, gzip: false)
    var images = IDXFile(dimensions: [3, 4, 5], bytes: patternBytes(60)).encoded()
    images[0] = 0x50  // a PNG, say
    let path = try dir.write(images, to: "train-images-idx3-ubyte")
    let error = expectDataError(.badMagic) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
    #expect(error?.path == path)
    #expect(error?.description.hasPrefix(path + ": ") == true)
  }

  @Test func swappedImageAndLabelFilesAreBadMagic() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 3, gzip: false)
    try dir.write(IDXFile(dimensions: [3], bytes: [1, 2, 3]).encoded(), to: "train-images-idx3-ubyte")
    let error = expectDataError(.badMagic) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
    #expect(error?.message.contains("swapped") == true)
  }

  @Test func unsupportedElementType() {
    let file: [UInt8] = [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]
    expectDataError(.unsupported) { _ = try IDXFile.parse(file, rank: 1, path: "floats") }
  }

  @Test(arguments: [false, true])
  func truncatedFileIsTruncated(gzip: Bool) throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 10, gzip: gzip)
    let images = IDXFile(dimensions: [10, 4, 5], bytes: patternBytes(200)).encoded()
    let cut = Array(images.prefix(150))
    let name = "train-images-idx3-ubyte" + (gzip ? ".gz" : "")
    let path = try dir.write(gzip ? Gzip.compress(cut) : cut, to: name)
    let error = expectDataError(.truncated) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
    #expect(error?.path == path)
    expectDataError(.truncated) { _ = try IDXFile.parse([0, 0, 8, 3, 0, 0], rank: 3, path: "short") }
    expectDataError(.truncated) { _ = try IDXFile.parse([0, 0], rank: 3, path: "short") }
  }

  @Test func extraBytesAfterTheDataAreABadHeader() {
    let file = IDXFile(dimensions: [2], bytes: [1, 2]).encoded() + [9]
    expectDataError(.badHeader) { _ = try IDXFile.parse(file, rank: 1, path: "long") }
  }

  @Test func labelCountDifferentFromImageCountIsCountMismatch() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 10, gzip: true, labelCount: 9)
    let error = expectDataError(.countMismatch) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
    #expect(error?.message.contains("10 images but 9 labels") == true)
  }

  @Test func labelOutsideTheTenClassesIsBadLabel() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 3, gzip: false)
    try dir.write(IDXFile(dimensions: [3], bytes: [1, 12, 3]).encoded(), to: "train-labels-idx1-ubyte")
    expectDataError(.badLabel) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
  }

  @Test func corruptGzipIsUnreadable() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "train", count: 3, gzip: true)
    var bad = Gzip.compress(IDXFile(dimensions: [3], bytes: [1, 2, 3]).encoded())
    bad[bad.count - 6] ^= 0xff  // the CRC-32 no longer matches
    let path = try dir.write(bad, to: "train-labels-idx1-ubyte.gz")
    let error = expectDataError(.unreadable) { _ = try DatasetSource.mnist(path: dir.path).load(split: .train) }
    #expect(error?.path == path)
  }

  @Test func missingFashionMNISTSaysHowToInstallIt() throws {
    let dir = try TemporaryDirectory()
    let error = expectDataError(.fileNotFound) { _ = try DatasetSource.fashionMNIST(path: dir.path).load(split: .test) }
    #expect(error?.path == dir.file("t10k-images-idx3-ubyte.gz"))
    #expect(error?.description.contains("apt-get install dataset-fashion-mnist") == true)
    #expect(error?.description.contains("make setup") == true)
  }

  @Test func aFolderInsteadOfAFileIsUnreadable() throws {
    let dir = try TemporaryDirectory()
    expectDataError(.unreadable) { _ = try DataFile.read(dir.path) }
    expectDataError(.fileNotFound) { _ = try DataFile.read(dir.file("nothing")) }
  }
}
