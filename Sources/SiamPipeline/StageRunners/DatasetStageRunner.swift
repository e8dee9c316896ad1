import Foundation
import SiamData

/// `kind: dataset`: loads the train and test splits (first `limit` / `test_limit`
/// samples) and records what it loaded in `dataset.json`.
///
/// The data's content hash (of both selected splits) enters the stage's fingerprint, so
/// a changed file on disk reruns the stage and everything downstream.
public struct DatasetStageRunner: StageRunner {
  public let kind = DatasetParameters.kind

  public init() {}

  /// The `SiamData` source of `parameters`.
  ///
  /// - Throws: `RunError` for a source the runner cannot read yet (`npy`).
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
      return .synthetic(classes: values.int("classes"), count: values.int("samples"), channels: shape[0],
                        size: shape[1], seed: 0, testCount: values.int("test_samples"))
    case .npy:
      throw RunError(.planning, "the dataset source 'npy' has no runner yet; convert the arrays or use another source")
    }
  }

  static func selections(_ parameters: DatasetParameters) -> (train: DatasetSelection, test: DatasetSelection) {
    (parameters.limit.map(DatasetSelection.first) ?? .all, parameters.testLimit.map(DatasetSelection.first) ?? .all)
  }

  /// Both splits of `parameters`, selected.
  public static func load(_ parameters: DatasetParameters) throws -> LoadedDataset {
    let source = try source(parameters)
    let selection = selections(parameters)
    return LoadedDataset(train: try source.load(split: .train, selection: selection.train),
                         test: try source.load(split: .test, selection: selection.test))
  }

  public func dataContentHash(of stage: StageSpec, cacheDirectory: String) throws -> String? {
    let parameters = stage.parameters as! DatasetParameters
    let source = try Self.source(parameters)
    let selection = Self.selections(parameters)
    let train = try source.contentHash(split: .train, selection: selection.train, cacheDirectory: cacheDirectory)
    let test = try source.contentHash(split: .test, selection: selection.test, cacheDirectory: cacheDirectory)
    return (["train": .string(train), "test": .string(test)] as CanonicalJSON).sha256Hex
  }

  public func run(_ stage: StageSpec, context: StageContext) throws -> [String: Double] {
    let data = try context.dataset(upstreamOf: stage.name)
    func describe(_ d: Dataset) -> CanonicalJSON {
      [
        "name": .string(d.name), "count": .number(d.count), "content_hash": .string(d.contentHash()),
        "class_counts": .array(d.classCounts.map { .number($0) }),
      ]
    }
    try context.writeJSON([
      "source": .string(try Self.source(stage.parameters as! DatasetParameters).name),
      "shape": .array(data.train.imageShape.map { .number($0) }),
      "classes": .number(data.train.classCount),
      "train": describe(data.train),
      "test": describe(data.test),
    ], to: "dataset.json")
    context.log("\(stage.name): \(data.train.count) train and \(data.test.count) test images of shape \(data.train.imageShape), \(data.train.classCount) classes")
    return ["train_count": Double(data.train.count), "test_count": Double(data.test.count),
            "classes": Double(data.train.classCount)]
  }
}
