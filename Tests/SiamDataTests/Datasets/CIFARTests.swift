import Foundation
import SiamData
import Testing

@Suite struct CIFARTests {
  /// `count` CIFAR records with `labelBytes` label bytes each.
  func records(count: Int, labels: [[UInt8]], salt: Int) -> (file: [UInt8], pixels: [UInt8]) {
    var file: [UInt8] = []
    var pixels: [UInt8] = []
    for i in 0..<count {
      let image = patternBytes(3072, salt: salt * 1000 + i)
      file += labels[i] + image
      pixels += image
    }
    return (file, pixels)
  }

  @Test func cifar10RoundTrip() throws {
    let dir = try TemporaryDirectory()
    var expectedPixels: [UInt8] = []
    var expectedLabels: [Int] = []
    for batch in 1...5 {
      let labels = (0..<3).map { UInt8((batch * 3 + $0) % 10) }
      let (file, pixels) = records(count: 3, labels: labels.map { [$0] }, salt: batch)
      try dir.write(file, to: "data_batch_\(batch).bin")
      expectedPixels += pixels
      expectedLabels += labels.map(Int.init)
    }
    let (testFile, testPixels) = records(count: 2, labels: [[4], [9]], salt: 9)
    try dir.write(testFile, to: "test_batch.bin")

    let train = try DatasetSource.cifar10(path: dir.path).load(split: .train)
    #expect(train.count == 15)
    #expect(train.imageShape == [3, 32, 32])
    #expect(train.classCount == 10)
    #expect(train.labels == expectedLabels)
    #expect(train.pixels == .uint8(expectedPixels))
    let test = try DatasetSource.cifar10(path: dir.path).load(split: .test)
    #expect(test.labels == [4, 9])
    #expect(test.pixels == .uint8(testPixels))
  }

  @Test func cifar10InTheArchiveSubfolderIsFound() throws {
    let dir = try TemporaryDirectory()
    try FileManager.default.createDirectory(atPath: dir.file("cifar-10-batches-bin"), withIntermediateDirectories: true)
    try dir.write(records(count: 1, labels: [[3]], salt: 0).file, to: "cifar-10-batches-bin/test_batch.bin")
    #expect(try DatasetSource.cifar10(path: dir.path).load(split: .test).labels == [3])
  }

  @Test(arguments: [CIFAR.LabelGranularity.fine, .coarse])
  func cifar100FineOrCoarseLabels(granularity: CIFAR.LabelGranularity) throws {
    let dir = try TemporaryDirectory()
    let labels: [[UInt8]] = [[1, 99], [19, 0], [5, 42]]
    let (file, pixels) = records(count: 3, labels: labels, salt: 3)
    try dir.write(file, to: "train.bin")
    let dataset = try DatasetSource.cifar100(path: dir.path, labels: granularity).load(split: .train)
    #expect(dataset.pixels == .uint8(pixels))
    if granularity == .fine {
      #expect(dataset.labels == [99, 0, 42])
      #expect(dataset.classCount == 100)
    } else {
      #expect(dataset.labels == [1, 19, 5])
      #expect(dataset.classCount == 20)
    }
  }

  @Test func sizeNotAMultipleOfTheRecordIsTruncatedNamingTheFile() throws {
    let dir = try TemporaryDirectory()
    let file = records(count: 2, labels: [[1], [2]], salt: 1).file
    let path = try dir.write(Array(file.dropLast(100)), to: "test_batch.bin")
    let error = expectDataError(.truncated) { _ = try DatasetSource.cifar10(path: dir.path).load(split: .test) }
    #expect(error?.description.hasPrefix(path + ": ") == true)
    // A CIFAR-10 file read as CIFAR-100 (3073-byte records) does not divide by 3074 either.
    try dir.write(file, to: "test.bin")
    expectDataError(.truncated) { _ = try DatasetSource.cifar100(path: dir.path).load(split: .test) }
  }

  @Test func missingBatchSaysWhereToDownload() throws {
    let dir = try TemporaryDirectory()
    let error = expectDataError(.fileNotFound) { _ = try DatasetSource.cifar10(path: dir.path).load(split: .train) }
    #expect(error?.path == dir.file("data_batch_1.bin"))
    #expect(error?.message.contains("cs.toronto.edu") == true)
  }

  @Test func labelOutOfRangeIsBadLabel() throws {
    let dir = try TemporaryDirectory()
    try dir.write(records(count: 1, labels: [[10]], salt: 0).file, to: "test_batch.bin")
    expectDataError(.badLabel) { _ = try DatasetSource.cifar10(path: dir.path).load(split: .test) }
  }
}
