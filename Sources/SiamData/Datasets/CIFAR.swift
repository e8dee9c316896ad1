/// Loader for the binary versions of CIFAR-10 and CIFAR-100
/// (https://www.cs.toronto.edu/~kriz/cifar.html, `cifar-10-binary.tar.gz`,
/// `cifar-100-binary.tar.gz`).
///
/// CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin` (train) and `test_batch.bin`, records
/// of 1 label byte and 3072 pixel bytes (`3, 32, 32`, channel-major: exactly `C, H, W`).
/// CIFAR-100: `train.bin` and `test.bin`, records of a coarse label byte (20 classes), a
/// fine label byte (100 classes) and 3072 pixel bytes.
public enum CIFAR {
  /// Which CIFAR-100 labels become `Dataset.labels`.
  public enum LabelGranularity: String, Sendable, Hashable, Codable, CaseIterable {
    /// The 100 fine classes (the usual benchmark).
    case fine
    /// The 20 superclasses.
    case coarse
  }

  /// `[C, H, W]` of every CIFAR image.
  public static let imageShape = [3, 32, 32]
  static let pixelsPerImage = 3 * 32 * 32

  /// How to get CIFAR-10, for `fileNotFound` messages.
  public static let cifar10Hint =
    "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it (the folder cifar-10-batches-bin holds data_batch_1.bin … test_batch.bin)"
  /// How to get CIFAR-100, for `fileNotFound` messages.
  public static let cifar100Hint =
    "download cifar-100-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it (the folder cifar-100-binary holds train.bin and test.bin)"

  /// The CIFAR-10 files of `split` in `directory` (or in its `cifar-10-batches-bin`
  /// subfolder, where the archive extracts to).
  public static func cifar10Files(directory: String, split: DatasetSplit) -> [String] {
    let folder = resolvedFolder(directory, archiveFolder: "cifar-10-batches-bin", probe: "test_batch.bin")
    let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    return names.map { joinPath(folder, $0) }
  }

  /// The CIFAR-100 file of `split` in `directory` (or in its `cifar-100-binary` subfolder).
  public static func cifar100File(directory: String, split: DatasetSplit) -> String {
    let folder = resolvedFolder(directory, archiveFolder: "cifar-100-binary", probe: "test.bin")
    return joinPath(folder, split == .train ? "train.bin" : "test.bin")
  }

  /// Loads one split of CIFAR-10.
  ///
  /// - Returns: 50000 (train) or 10000 (test) images of shape `[3, 32, 32]`, 10 classes,
  ///   `.uint8` pixels.
  /// - Throws: `DataError` `.fileNotFound` (with how to get the data), `.unreadable`,
  ///   `.truncated` (a size that is not a multiple of 3073 bytes), `.badLabel`.
  public static func loadCIFAR10(directory: String, split: DatasetSplit) throws -> Dataset {
    var pixels: [UInt8] = []
    var labels: [Int] = []
    for path in cifar10Files(directory: directory, split: split) {
      try readRecords(
        path, labelBytes: 1, labelIndex: 0, classCount: 10, hint: cifar10Hint,
        pixels: &pixels, labels: &labels)
    }
    return Dataset(
      name: "cifar10/\(split.rawValue)", imageShape: imageShape, classCount: 10,
      pixels: .uint8(pixels), labels: labels)
  }

  /// Loads one split of CIFAR-100 with fine (100 classes) or coarse (20 classes) labels.
  ///
  /// - Throws: As `loadCIFAR10`, with records of 3074 bytes.
  public static func loadCIFAR100(directory: String, split: DatasetSplit, labels granularity: LabelGranularity = .fine)
    throws -> Dataset
  {
    var pixels: [UInt8] = []
    var labels: [Int] = []
    let classCount = granularity == .fine ? 100 : 20
    try readRecords(
      cifar100File(directory: directory, split: split), labelBytes: 2,
      labelIndex: granularity == .fine ? 1 : 0, classCount: classCount, hint: cifar100Hint,
      pixels: &pixels, labels: &labels)
    let suffix = granularity == .fine ? "" : "-coarse"
    return Dataset(
      name: "cifar100\(suffix)/\(split.rawValue)", imageShape: imageShape, classCount: classCount,
      pixels: .uint8(pixels), labels: labels)
  }

  /// Appends the records of one binary file: `labelBytes` label bytes (the label at
  /// `labelIndex` is kept), then 3072 pixel bytes.
  static func readRecords(
    _ path: String, labelBytes: Int, labelIndex: Int, classCount: Int, hint: String,
    pixels: inout [UInt8], labels: inout [Int]
  ) throws {
    let file = try DataFile.read(path, notFoundHint: hint)
    let recordSize = labelBytes + pixelsPerImage
    guard !file.isEmpty, file.count % recordSize == 0 else {
      throw DataError(
        .truncated,
        "\(file.count) bytes is not a whole number of \(recordSize)-byte records (\(labelBytes) label byte\(labelBytes == 1 ? "" : "s") + 3072 pixels); the file is truncated or not a CIFAR\(labelBytes == 1 ? "-10" : "-100") binary file, download it again",
        path: path)
    }
    let count = file.count / recordSize
    let firstPixel = pixels.count
    pixels.append(contentsOf: repeatElement(0, count: count * pixelsPerImage))
    labels.reserveCapacity(labels.count + count)
    var badRecord: (index: Int, label: Int)? = nil
    file.withUnsafeBufferPointer { source in
      pixels.withUnsafeMutableBufferPointer { target in
        for record in 0..<count {
          let base = record * recordSize
          let label = Int(source[base + labelIndex])
          if label >= classCount, badRecord == nil { badRecord = (record, label) }
          labels.append(label)
          (target.baseAddress! + firstPixel + record * pixelsPerImage)
            .update(from: source.baseAddress! + base + labelBytes, count: pixelsPerImage)
        }
      }
    }
    if let badRecord {
      throw DataError(
        .badLabel,
        "label \(badRecord.label) of record \(badRecord.index) is outside 0..<\(classCount); is this a CIFAR\(labelBytes == 1 ? "-10" : "-100") file?",
        path: path)
    }
  }

  /// `directory/archiveFolder` when the files are there rather than in `directory`.
  private static func resolvedFolder(_ directory: String, archiveFolder: String, probe: String) -> String {
    if !DataFile.exists(joinPath(directory, probe)),
      DataFile.exists(joinPath(joinPath(directory, archiveFolder), probe))
    {
      return joinPath(directory, archiveFolder)
    }
    return directory
  }
}
