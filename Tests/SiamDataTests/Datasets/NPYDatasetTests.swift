import SiamData
import Testing

@Suite struct NPYDatasetTests {
  /// Writes `images` and int64 labels `0, 1, …` (mod `classes`) as `x_train.npy`/`y_train.npy`.
  func write(_ images: NPYArray, in dir: TemporaryDirectory, classes: Int = 3, labelCount: Int? = nil) throws {
    try images.write(to: dir.file("x_train.npy"))
    let labels = (0..<(labelCount ?? images.shape[0])).map { Int64($0 % classes) }
    try NPYArray(shape: [labels.count], values: .int64(labels)).write(to: dir.file("y_train.npy"))
  }

  func source(_ dir: TemporaryDirectory, layout: NPYDataset.Layout = .nhwc) -> DatasetSource {
    .npy(images: dir.file("x_{split}.npy"), labels: dir.file("y_{split}.npy"), layout: layout)
  }

  @Test func uint8ChannelLastBecomesChannelFirst() throws {
    let dir = try TemporaryDirectory()
    // Two 2×2 RGB images, value = 100·n + 10·channel + pixel.
    var nhwc: [UInt8] = []
    for n in 0..<2 { for p in 0..<4 { for c in 0..<3 { nhwc.append(UInt8(100 * n + 10 * c + p)) } } }
    try write(NPYArray(shape: [2, 2, 2, 3], values: .uint8(nhwc)), in: dir)
    let dataset = try source(dir).load(split: .train)
    #expect(dataset.imageShape == [3, 2, 2])
    #expect(dataset.classCount == 2)  // labels 0, 1
    var chw: [UInt8] = []
    for n in 0..<2 { for c in 0..<3 { for p in 0..<4 { chw.append(UInt8(100 * n + 10 * c + p)) } } }
    #expect(dataset.pixels == .uint8(chw))
  }

  @Test func float32ChannelFirstWithTheExplicitLayout() throws {
    let dir = try TemporaryDirectory()
    let values = (0..<(2 * 3 * 4 * 5)).map { Float($0) / 120 }
    try write(NPYArray(shape: [2, 3, 4, 5], values: .float32(values)), in: dir)
    let dataset = try source(dir, layout: .nchw).load(split: .train)
    #expect(dataset.imageShape == [3, 4, 5])
    #expect(dataset.pixels == .float32(values))
    // Read as channel-last, 5 channels is refused with a hint about the layout.
    let error = expectDataError(.unsupported) { _ = try source(dir).load(split: .train) }
    #expect(error?.message.contains("nchw") == true)
  }

  @Test func threeDimensionalImagesHaveOneChannelAndFloat64IsConverted() throws {
    let dir = try TemporaryDirectory()
    try write(NPYArray(shape: [3, 2, 2], values: .float64((0..<12).map { Double($0) / 11 })), in: dir)
    let dataset = try source(dir).load(split: .train)
    #expect(dataset.imageShape == [1, 2, 2])
    #expect(dataset.pixels == .float32((0..<12).map { Float(Double($0) / 11) }))
    #expect(dataset.labels == [0, 1, 2])
  }

  @Test func singleChannelLastImagesNeedNoTranspose() throws {
    let dir = try TemporaryDirectory()
    let bytes = patternBytes(2 * 3 * 3)
    try write(NPYArray(shape: [2, 3, 3, 1], values: .uint8(bytes)), in: dir)
    #expect(try source(dir).load(split: .train).pixels == .uint8(bytes))
  }

  @Test func labelsMayBeInt32OrUInt8AndClassCountIsExplicit() throws {
    let dir = try TemporaryDirectory()
    try NPYArray(shape: [2, 2, 2], values: .uint8(patternBytes(8))).write(to: dir.file("x.npy"))
    try NPYArray(shape: [2], values: .int32([4, 1])).write(to: dir.file("y32.npy"))
    try NPYArray(shape: [2], values: .uint8([0, 9])).write(to: dir.file("y8.npy"))
    let a = try DatasetSource.npy(images: dir.file("x.npy"), labels: dir.file("y32.npy"), classCount: 10).load(
      split: .train)
    #expect(a.labels == [4, 1])
    #expect(a.classCount == 10)
    let b = try DatasetSource.npy(images: dir.file("x.npy"), labels: dir.file("y8.npy")).load(split: .train)
    #expect(b.labels == [0, 9])
    #expect(b.classCount == 10)
    expectDataError(.badLabel) {
      _ = try DatasetSource.npy(images: dir.file("x.npy"), labels: dir.file("y8.npy"), classCount: 5).load(
        split: .train)
    }
  }

  @Test func mismatchedCountsAndBadArraysAreErrors() throws {
    let dir = try TemporaryDirectory()
    try write(NPYArray(shape: [3, 2, 2], values: .uint8(patternBytes(12))), in: dir, labelCount: 2)
    expectDataError(.countMismatch) { _ = try source(dir).load(split: .train) }
    try NPYArray(shape: [3, 1], values: .int64([0, 1, 2])).write(to: dir.file("y_train.npy"))
    expectDataError(.unsupported) { _ = try source(dir).load(split: .train) }
    try NPYArray(shape: [3], values: .float32([0, 1, 2])).write(to: dir.file("y_train.npy"))
    expectDataError(.unsupported) { _ = try source(dir).load(split: .train) }
    try NPYArray(shape: [12], values: .uint8(patternBytes(12))).write(to: dir.file("x_train.npy"))
    expectDataError(.unsupported) { _ = try source(dir).load(split: .train) }
  }

  @Test func splitPlaceholderAndMissingFiles() throws {
    let dir = try TemporaryDirectory()
    try write(NPYArray(shape: [3, 2, 2], values: .uint8(patternBytes(12))), in: dir)
    let error = expectDataError(.fileNotFound) { _ = try source(dir).load(split: .test) }
    #expect(error?.path == dir.file("x_test.npy"))
    let fixed = DatasetSource.npy(images: dir.file("x_train.npy"), labels: dir.file("y_train.npy"))
    #expect(try fixed.load(split: .train).count == 3)
    expectDataError(.invalidOption) { _ = try fixed.load(split: .test) }
  }
}
