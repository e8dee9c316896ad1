import SiamData
import Testing

@Suite struct SyntheticDatasetTests {
  @Test func sameSeedGivesIdenticalDataAndOtherSeedsDiffer() throws {
    let a = try SyntheticDataset.make(classes: 4, count: 40, channels: 1, size: 12, seed: 7, split: .train)
    let b = try SyntheticDataset.make(classes: 4, count: 40, channels: 1, size: 12, seed: 7, split: .train)
    let c = try SyntheticDataset.make(classes: 4, count: 40, channels: 1, size: 12, seed: 8, split: .train)
    let test = try SyntheticDataset.make(classes: 4, count: 40, channels: 1, size: 12, seed: 7, split: .test)
    #expect(a.pixels == b.pixels)
    #expect(a.labels == b.labels)
    #expect(a.pixels != c.pixels)
    #expect(a.pixels != test.pixels)
    #expect(a.contentHash() == b.contentHash())
    #expect(a.contentHash() != c.contentHash())
  }

  @Test func aSampleDependsOnlyOnSeedSplitAndIndex() throws {
    let small = try SyntheticDataset.make(classes: 3, count: 5, channels: 3, size: 8, seed: 1, split: .train)
    let large = try SyntheticDataset.make(classes: 3, count: 50, channels: 3, size: 8, seed: 1, split: .train)
    #expect(large.subset(indices: Array(0..<5)).pixels == small.pixels)
  }

  @Test(arguments: [(10, 1, 28), (3, 3, 32), (7, 2, 9)])
  func shapeClassBalanceAndRange(classes: Int, channels: Int, size: Int) throws {
    let count = 10 * classes + 3
    let dataset = try SyntheticDataset.make(
      classes: classes, count: count, channels: channels, size: size, seed: 3,
      split: .train)
    #expect(dataset.imageShape == [channels, size, size])
    #expect(dataset.count == count)
    #expect(dataset.classCount == classes)
    let counts = dataset.classCounts
    #expect(counts.max()! - counts.min()! <= 1)
    let image = dataset.image(at: 0)
    #expect(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    // Not flat: stripes, a shape and noise.
    #expect(image.pixels.max()! - image.pixels.min()! > 0.3)
  }

  @Test func classesAreSeparableByTheirMeanImages() throws {
    // Nearest class-mean classification of held-out samples beats chance by far: the
    // class signal is in the pixels, not only in the labels.
    let train = try SyntheticDataset.make(classes: 4, count: 400, channels: 1, size: 16, seed: 5, split: .train)
    let test = try SyntheticDataset.make(classes: 4, count: 100, channels: 1, size: 16, seed: 5, split: .test)
    let pixels = 256
    var means = [[Float]](repeating: [Float](repeating: 0, count: pixels), count: 4)
    for i in 0..<train.count {
      let image = train.image(at: i).pixels
      for p in 0..<pixels { means[train.labels[i]][p] += image[p] / 100 }
    }
    var correct = 0
    for i in 0..<test.count {
      let image = test.image(at: i).pixels
      let distances = means.map { mean in zip(mean, image).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
      if distances.firstIndex(of: distances.min()!) == test.labels[i] { correct += 1 }
    }
    #expect(correct > 40, "nearest-mean accuracy \(correct)% (chance 25%)")
  }

  @Test func invalidParametersAreInvalidOptions() {
    expectDataError(.invalidOption) {
      _ = try SyntheticDataset.make(classes: 0, count: 1, channels: 1, size: 8, seed: 0, split: .train)
    }
    expectDataError(.invalidOption) {
      _ = try SyntheticDataset.make(classes: 2, count: 0, channels: 1, size: 8, seed: 0, split: .train)
    }
    expectDataError(.invalidOption) {
      _ = try SyntheticDataset.make(classes: 2, count: 1, channels: 0, size: 8, seed: 0, split: .train)
    }
    expectDataError(.invalidOption) {
      _ = try SyntheticDataset.make(classes: 2, count: 1, channels: 1, size: 2, seed: 0, split: .train)
    }
  }

  @Test func sourceUsesTestCountForTheTestSplit() throws {
    let source = DatasetSource.synthetic(classes: 5, count: 50, channels: 1, size: 8, seed: 2, testCount: 20)
    #expect(try source.load(split: .train).count == 50)
    #expect(try source.load(split: .test).count == 20)
    #expect(try source.load(split: .train, selection: .first(10)).labels == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
  }
}
