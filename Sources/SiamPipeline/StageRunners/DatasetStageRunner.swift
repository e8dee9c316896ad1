import Foundation
import SiamData

/// `kind: dataset`: loads the train and test splits (first `limit` / `test_limit`
/// samples) and records what it loaded in `dataset.json`.
///
/// The data's content hash (of both selected splits) enters the stage's fingerprint, so
/// a changed file on disk reruns the stage and everything downstream.
public struct DatasetStageRunner: StageRunner {
  public typealias Parameters = DatasetParameters

  public init() {}

  /// The `SiamData` sources of the train and test splits of `parameters`: one source for
  /// both, except `npy`, whose files name each split (`images`/`labels` and
  /// `test_images`/`test_labels`, read as the train split of a source of their own; without
  /// test files the test split is the training split).
  static func splitSources(_ parameters: DatasetParameters) throws -> (
    train: (DatasetSource, DatasetSplit), test: (DatasetSource, DatasetSplit)
  ) {
    guard parameters.source == .npy else {
      let source = try source(parameters)
      return ((source, .train), (source, .test))
    }
    let v = parameters.values
    let layout = NPYDataset.Layout(rawValue: v.string("layout")) ?? .nhwc
    let classes = v.optionalInt("classes")
    let train = DatasetSource.npy(
      images: v.string("images"), labels: v.string("labels"), layout: layout, classCount: classes)
    guard let testImages = v.optionalString("test_images"), let testLabels = v.optionalString("test_labels") else {
      return ((train, .train), (train, .train))
    }
    return (
      (train, .train), (.npy(images: testImages, labels: testLabels, layout: layout, classCount: classes), .train)
    )
  }

  /// The `SiamData` source of `parameters` (for `npy`, that of the training files).
  public static func source(_ parameters: DatasetParameters) throws -> DatasetSource {
    let values = parameters.values
    switch parameters.source {
    case .fashionMNIST: return .fashionMNIST(path: values.string("path"))
    case .mnist: return .mnist(path: values.string("path"))
    case .cifar10: return .cifar10(path: values.string("path"))
    case .cifar100:
      return .cifar100(path: values.string("path"), labels: values.string("labels") == "coarse" ? .coarse : .fine)
    case .synthetic:
      let shape = values.ints("shape")
      return .synthetic(
        classes: values.int("classes"), count: values.int("samples"), channels: shape[0],
        size: shape[1], seed: 0, testCount: values.int("test_samples"))
    case .npy:
      return .npy(
        images: values.string("images"), labels: values.string("labels"),
        layout: NPYDataset.Layout(rawValue: values.string("layout")) ?? .nhwc, classCount: values.optionalInt("classes")
      )
    }
  }

  static func selections(_ parameters: DatasetParameters) -> (train: DatasetSelection, test: DatasetSelection) {
    (parameters.limit.map(DatasetSelection.first) ?? .all, parameters.testLimit.map(DatasetSelection.first) ?? .all)
  }

  /// Both splits of `parameters`, selected.
  public static func load(_ parameters: DatasetParameters) throws -> LoadedDataset {
    let sources = try splitSources(parameters)
    let selection = selections(parameters)
    return LoadedDataset(
      train: try sources.train.0.load(split: sources.train.1, selection: selection.train),
      test: try sources.test.0.load(split: sources.test.1, selection: selection.test))
  }

  public func dataContentHash(of stage: StageSpec, parameters: DatasetParameters, cacheDirectory: String) throws
    -> String?
  {
    let sources = try Self.splitSources(parameters)
    let selection = Self.selections(parameters)
    let train = try sources.train.0.contentHash(
      split: sources.train.1, selection: selection.train, cacheDirectory: cacheDirectory)
    let test = try sources.test.0.contentHash(
      split: sources.test.1, selection: selection.test, cacheDirectory: cacheDirectory)
    return (["train": .string(train), "test": .string(test)] as CanonicalJSON).sha256Hex
  }

  public func run(_ stage: StageSpec, parameters: DatasetParameters, context: StageContext) throws -> StageMetrics {
    let data = try context.dataset(upstreamOf: stage.name)
    func describe(_ d: Dataset) -> CanonicalJSON {
      [
        "name": .string(d.name), "count": .number(d.count), "content_hash": .string(d.contentHash()),
        "class_counts": .array(d.classCounts.map { .number($0) }),
      ]
    }
    try context.writeJSON(
      [
        "source": .string(try Self.source(parameters).name),
        "shape": .array(data.train.imageShape.map { .number($0) }),
        "classes": .number(data.train.classCount),
        "train": describe(data.train),
        "test": describe(data.test),
      ], to: "dataset.json")
    context.log(
      "\(stage.name): \(data.train.count) train and \(data.test.count) test images of shape \(data.train.imageShape), \(data.train.classCount) classes"
    )
    return [
      .init(key: "train_count", value: Double(data.train.count)),
      .init(key: "test_count", value: Double(data.test.count)),
      .init(key: "classes", value: Double(data.train.classCount)),
    ]
  }
}
