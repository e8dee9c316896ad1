/// Which split of a dataset to load.
public enum DatasetSplit: String, Sendable, Hashable, Codable, CaseIterable {
  case train
  case test
}

/// What to load: one of the supported dataset formats and where its files are.
///
/// `load(split:selection:)` is the single entry point; every source takes a split and a
/// selection (`DatasetSelection`), and `Dataset.labeledIndices(fraction:seed:)` picks the
/// labelled subset for semi-supervised evaluation. Content hashes come from
/// `contentHash(split:selection:cacheDirectory:loaded:)` (see `DatasetHashCache`).
public enum DatasetSource: Sendable, Hashable, Codable {
  /// Fashion-MNIST IDX files (plain or `.gz`) in a folder; Debian's
  /// `dataset-fashion-mnist` installs them in `/usr/share/datasets/fashion-mnist`.
  case fashionMNIST(path: String = "/usr/share/datasets/fashion-mnist")
  /// MNIST IDX files (plain or `.gz`) in a folder.
  case mnist(path: String)
  /// The CIFAR-10 binary version: a folder with `data_batch_1.bin` … `test_batch.bin`
  /// (or its `cifar-10-batches-bin` subfolder).
  case cifar10(path: String)
  /// The CIFAR-100 binary version: a folder with `train.bin`, `test.bin` (or its
  /// `cifar-100-binary` subfolder), with fine (100) or coarse (20) labels.
  case cifar100(path: String, labels: CIFAR.LabelGranularity = .fine)
  /// A pair of NumPy files. A `{split}` in either path is replaced by `train` or `test`;
  /// without it only the train split can be loaded (so that test data is never silently
  /// the training data). `classCount` nil means the largest label + 1.
  case npy(images: String, labels: String, layout: NPYDataset.Layout = .nhwc, classCount: Int? = nil)
  /// The procedural `SyntheticDataset`: `count` train samples and `testCount` (default
  /// `count`) test samples from independent streams.
  case synthetic(classes: Int, count: Int, channels: Int = 1, size: Int = 28, seed: UInt64 = 0, testCount: Int? = nil)

  /// The folder Debian's `dataset-fashion-mnist` package installs into.
  public static let defaultFashionMNISTPath = "/usr/share/datasets/fashion-mnist"

  /// A short name for messages and records (`fashion-mnist`, `cifar100-coarse`, ...).
  public var name: String {
    switch self {
    case .fashionMNIST: "fashion-mnist"
    case .mnist: "mnist"
    case .cifar10: "cifar10"
    case .cifar100(_, let labels): labels == .fine ? "cifar100" : "cifar100-coarse"
    case .npy: "npy"
    case .synthetic: "synthetic"
    }
  }

  /// Loads one split, then applies `selection`.
  ///
  /// - Returns: The decoded dataset (`name` is `<source>/<split>`).
  /// - Throws: `DataError`: a missing file names its path and says how to get the data;
  ///   malformed files say what is wrong; options out of range are `.invalidOption`.
  /// - Complexity: O(data size); Fashion-MNIST train loads in under a second in release (zlib-bound).
  public func load(split: DatasetSplit, selection: DatasetSelection = .all) throws -> Dataset {
    let dataset: Dataset
    switch self {
    case .fashionMNIST(let path):
      dataset = try MNIST.load(directory: path, split: split, name: name, notFoundHint: MNIST.fashionMNISTHint)
    case .mnist(let path):
      dataset = try MNIST.load(directory: path, split: split, name: name, notFoundHint: MNIST.mnistHint)
    case .cifar10(let path):
      dataset = try CIFAR.loadCIFAR10(directory: path, split: split)
    case .cifar100(let path, let labels):
      dataset = try CIFAR.loadCIFAR100(directory: path, split: split, labels: labels)
    case .npy(_, _, let layout, let classCount):
      let paths = try npyPaths(split: split)
      dataset = try NPYDataset.load(
        images: paths.images, labels: paths.labels, layout: layout, classCount: classCount,
        name: "npy/\(split.rawValue)")
    case .synthetic(let classes, let count, let channels, let size, let seed, let testCount):
      dataset = try SyntheticDataset.make(
        classes: classes, count: split == .train ? count : (testCount ?? count),
        channels: channels, size: size, seed: seed, split: split)
    }
    return try dataset.selecting(selection)
  }

  /// The files `load(split:)` reads, in order (none for `.synthetic`).
  ///
  /// - Throws: `DataError.fileNotFound` as `load` would.
  public func files(split: DatasetSplit) throws -> [String] {
    switch self {
    case .fashionMNIST(let path):
      let files = try MNIST.files(directory: path, split: split, notFoundHint: MNIST.fashionMNISTHint)
      return [files.images, files.labels]
    case .mnist(let path):
      let files = try MNIST.files(directory: path, split: split, notFoundHint: MNIST.mnistHint)
      return [files.images, files.labels]
    case .cifar10(let path):
      return CIFAR.cifar10Files(directory: path, split: split)
    case .cifar100(let path, _):
      return [CIFAR.cifar100File(directory: path, split: split)]
    case .npy:
      let paths = try npyPaths(split: split)
      return [paths.images, paths.labels]
    case .synthetic:
      return []
    }
  }

  /// The `.npy` paths of `split`, with `{split}` substituted.
  private func npyPaths(split: DatasetSplit) throws -> (images: String, labels: String) {
    guard case .npy(let images, let labels, _, _) = self else { preconditionFailure("not an npy source") }
    let placeholder = "{split}"
    if split != .train && !(images.contains(placeholder) && labels.contains(placeholder)) {
      throw DataError(
        .invalidOption,
        "an npy source without {split} in both paths has only a train split; name the files like x_{split}.npy and y_{split}.npy to give it a test split",
        path: images)
    }
    return (
      images.replacingAll(placeholder, with: split.rawValue), labels.replacingAll(placeholder, with: split.rawValue)
    )
  }
}

extension String {
  /// `self` with every occurrence of `target` replaced (no Foundation needed).
  fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
