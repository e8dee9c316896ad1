import Foundation
import SiamData
import Testing

@Suite struct DatasetContentHashTests {
  @Test func twoLoadsGiveTheSameHashAndOnePixelChangesIt() throws {
    let dir = try TemporaryDirectory()
    let written = try writeMNISTSplit(in: dir, prefix: "train", count: 20, gzip: true)
    let source = DatasetSource.mnist(path: dir.path)
    let first = try source.load(split: .train).contentHash()
    let second = try source.load(split: .train).contentHash()
    #expect(first == second)
    #expect(first.count == 64)
    #expect(first.allSatisfy { "0123456789abcdef".contains($0) })

    var pixels = written.pixels
    pixels[123] ^= 1
    try dir.write(
      Gzip.compress(IDXFile(dimensions: [20, 4, 5], bytes: pixels).encoded()), to: "train-images-idx3-ubyte.gz")
    #expect(try source.load(split: .train).contentHash() != first)
  }

  @Test func hashCoversShapeLabelsAndPixelKindButNotTheName() {
    let base = Dataset(name: "a", imageShape: [1, 2, 2], classCount: 3, pixels: .uint8([0, 1, 2, 3]), labels: [1])
    let renamed = Dataset(name: "b", imageShape: [1, 2, 2], classCount: 3, pixels: .uint8([0, 1, 2, 3]), labels: [1])
    let reshaped = Dataset(name: "a", imageShape: [1, 1, 4], classCount: 3, pixels: .uint8([0, 1, 2, 3]), labels: [1])
    let relabelled = Dataset(
      name: "a", imageShape: [1, 2, 2], classCount: 3, pixels: .uint8([0, 1, 2, 3]), labels: [2])
    let moreClasses = Dataset(
      name: "a", imageShape: [1, 2, 2], classCount: 4, pixels: .uint8([0, 1, 2, 3]), labels: [1])
    let floats = Dataset(name: "a", imageShape: [1, 2, 2], classCount: 3, pixels: .float32([0, 1, 2, 3]), labels: [1])
    #expect(base.contentHash() == renamed.contentHash())
    let others = [reshaped, relabelled, moreClasses, floats].map { $0.contentHash() }
    #expect(Set(others + [base.contentHash()]).count == 5)
  }

  @Test func knownVector() {
    // Pinned so that an accidental change of the canonical encoding is noticed (it would
    // invalidate every cached stage); bump Dataset.contentHashVersion when changing it.
    let dataset = Dataset(name: "x", imageShape: [1, 1, 2], classCount: 2, pixels: .uint8([7, 9]), labels: [1])
    #expect(dataset.contentHash() == DatasetContentHashTests.pinnedHash)
  }

  /// Python: `hashlib.sha256(b"siam-dataset-v1\n" + struct.pack("<6q", 1, 1, 2, 2, 0, 1)
  /// + bytes([7, 9]) + struct.pack("<q", 1)).hexdigest()`.
  static let pinnedHash = "d1fd5876f5599e447611f682285349d58ed2594e8ec0682477c13fe16a4e8722"

  @Test func cacheRemembersInMemoryAndOnDiskAndNoticesChangedFiles() throws {
    let dir = try TemporaryDirectory()
    try writeMNISTSplit(in: dir, prefix: "t10k", count: 10, gzip: false)
    let cacheDir = dir.file("cache/datasets")
    let source = DatasetSource.mnist(path: dir.path)
    let cache = DatasetHashCache()
    let expected = try source.load(split: .test).contentHash()
    #expect(try cache.contentHash(of: source, split: .test, cacheDirectory: cacheDir) == expected)
    let entries = try FileManager.default.contentsOfDirectory(atPath: cacheDir)
    #expect(entries.count == 1 && entries[0].hasSuffix(".sha256"))
    let entry = cacheDir + "/" + entries[0]
    #expect(try String(contentsOfFile: entry, encoding: .utf8) == expected + "\n")

    // A fresh cache (another process) reads the entry instead of hashing: prove it with a
    // planted value.
    let planted = String(repeating: "ab", count: 32)
    try Data((planted + "\n").utf8).write(to: URL(fileURLWithPath: entry))
    #expect(try DatasetHashCache().contentHash(of: source, split: .test, cacheDirectory: cacheDir) == planted)
    // The in-memory entry of the first cache wins over the disk.
    #expect(try cache.contentHash(of: source, split: .test, cacheDirectory: cacheDir) == expected)
    // A corrupt entry is recomputed and rewritten.
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: entry))
    #expect(try DatasetHashCache().contentHash(of: source, split: .test, cacheDirectory: cacheDir) == expected)
    #expect(try String(contentsOfFile: entry, encoding: .utf8) == expected + "\n")

    // A selection is part of the key.
    let selected = try cache.contentHash(of: source, split: .test, selection: .first(3), cacheDirectory: cacheDir)
    #expect(selected == (try source.load(split: .test, selection: .first(3)).contentHash()))
    #expect(selected != expected)

    // A rewritten file (new size and mtime) gets a new key, so the stale hash is not used.
    try writeMNISTSplit(in: dir, prefix: "t10k", count: 11, gzip: false)
    let changed = try cache.contentHash(of: source, split: .test, cacheDirectory: cacheDir)
    #expect(changed == (try source.load(split: .test).contentHash()))
    #expect(changed != expected)
  }

  @Test func unwritableCacheFolderOnlyCostsTheComputation() throws {
    let dir = try TemporaryDirectory()
    try dir.write([1], to: "a-file")
    let source = DatasetSource.synthetic(classes: 2, count: 4, channels: 1, size: 8, seed: 0)
    let hash = try DatasetHashCache().contentHash(of: source, split: .train, cacheDirectory: dir.file("a-file/sub"))
    #expect(hash == (try source.load(split: .train).contentHash()))
  }

  @Test func missingFilesAreReportedByTheCacheToo() throws {
    let dir = try TemporaryDirectory()
    expectDataError(.fileNotFound) { _ = try DatasetSource.fashionMNIST(path: dir.path).contentHash(split: .train) }
  }
}
