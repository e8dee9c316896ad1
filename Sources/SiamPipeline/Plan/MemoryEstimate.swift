import Foundation
import SiamNN

/// A rough upper estimate of the memory each stage needs, made at plan time so that a
/// configuration that cannot fit this machine is refused before anything runs (a crop
/// size of 100,000 or an encoder 100,000 wide would otherwise abort on a 5 TB allocation
/// in the middle of a run).
///
/// What is counted, as `Float32` (4 bytes):
/// - dataset stages: every image of both splits;
/// - training stages (`pretrain`, `supervised`, `finetune`): the images, plus for one
///   batch of every view the encoder's feature maps (each layer's convolution, batch norm
///   and ReLU outputs) times 2 (their gradients; im2col panels are chunked),
///   plus the parameters times 4 (weights, gradients, momentum, a momentum copy);
/// - evaluation stages: the images and the features of both splits.
///
/// The estimate errs high for images stored as bytes and low for methods with large
/// queues; it is a guard against configurations that are off by orders of magnitude,
/// not a profiler.
struct MemoryEstimate {
  /// Train and test images and their shape, where known without reading the data.
  struct Geometry {
    var shape: [Int]
    var train: Int
    var test: Int
    var pixels: Double { Double(shape.reduce(1, *)) }
  }

  /// The machine's physical memory (`MemTotal` of /proc/meminfo), or nil.
  static var machineBytes: Double? {
    guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("MemTotal:") {
      let fields = line.split(separator: " ")
      if fields.count >= 2, let kib = Double(fields[1]) { return kib * 1024 }
    }
    return nil
  }

  /// The images a dataset stage holds, when its source says without reading files.
  static func geometry(_ p: DatasetParameters) -> Geometry? {
    let v = p.values
    var geometry: Geometry
    switch p.source {
    case .synthetic: geometry = Geometry(shape: v.ints("shape"), train: v.int("samples"), test: v.int("test_samples"))
    case .fashionMNIST, .mnist: geometry = Geometry(shape: [1, 28, 28], train: 60_000, test: 10_000)
    case .cifar10, .cifar100: geometry = Geometry(shape: [3, 32, 32], train: 50_000, test: 10_000)
    case .npy: return nil
    }
    if let limit = p.limit { geometry.train = min(geometry.train, limit) }
    if let limit = p.testLimit { geometry.test = min(geometry.test, limit) }
    return geometry
  }

  /// Feature-map floats per image of `encoder` on inputs of `shape`, its feature
  /// width D, and its parameter count (approximate for ResNets).
  static func encoderCost(_ encoder: EncoderConfiguration, shape: [Int]) -> (
    activations: Double, width: Double, parameters: Double
  ) {
    let channels = Double(shape.first ?? 1)
    var height = Double(shape.count > 1 ? shape[1] : 1)
    var width = Double(shape.count > 2 ? shape[2] : 1)
    switch encoder {
    case .mlp(let widths, _):
      var previous = channels * height * width
      var parameters = 0.0
      for w in widths {
        parameters += previous * Double(w)
        previous = Double(w)
      }
      return (Double(widths.reduce(0, +)) * 3, Double(widths.last ?? 0), parameters)
    case .convnet(let widths, let strides, let pool):
      var activations = 0.0
      var parameters = 0.0
      var previous = channels
      for (index, w) in widths.enumerated() {
        let stride = Double(strides.indices.contains(index) ? strides[index] : 1)
        height = (height / stride).rounded(.up)
        width = (width / stride).rounded(.up)
        activations += Double(w) * height * width * 3
        parameters += previous * Double(w) * 9
        previous = Double(w)
      }
      return (activations, Double((widths.last ?? 0) * pool * pool), parameters)
    case .resnet18(let stem), .resnet34(let stem):
      let blocks: [Double]
      if case .resnet18 = encoder { blocks = [2, 2, 2, 2] } else { blocks = [3, 4, 6, 3] }
      if stem == .imagenet {
        height = (height / 4).rounded(.up)
        width = (width / 4).rounded(.up)
      }
      var activations = 64 * height * width * 3
      var parameters = 0.0
      for (stage, count) in blocks.enumerated() {
        let planes = Double(64 << stage)
        if stage > 0 {
          height = (height / 2).rounded(.up)
          width = (width / 2).rounded(.up)
        }
        activations += planes * height * width * 6 * count
        parameters += planes * planes * 9 * 2 * count
      }
      return (activations, 512, parameters)
    }
  }

  /// The estimate of `stage` in bytes, and what it counts (for the message); nil when the
  /// data's geometry is unknown.
  static func bytes(of stage: StageSpec, in spec: PipelineSpec) -> (bytes: Double, what: String)? {
    guard let data = spec.datasetStage(upstreamOf: stage.name)?.parameters as? DatasetParameters,
      let geometry = geometry(data)
    else { return nil }
    let images = Double(geometry.train + geometry.test) * geometry.pixels * 4
    func training(_ encoder: EncoderConfiguration, viewShapes: [[Int]], batch: Int) -> (Double, String) {
      var activations = 0.0
      var parameters = 0.0
      for shape in viewShapes {
        let cost = encoderCost(encoder, shape: shape)
        activations += cost.activations
        parameters = cost.parameters
      }
      let perBatch = activations * Double(batch) * 4 * 2
      let views = viewShapes.map { $0.map(String.init).joined(separator: "×") }.joined(separator: ", ")
      return (
        images + perBatch + parameters * 4 * 4,
        "the data (\(formatted(images))) and one batch of \(batch) through the encoder for views \(views) (\(formatted(perBatch)))"
      )
    }
    switch stage.parameters {
    case is DatasetParameters:
      return (
        images, "\(geometry.train + geometry.test) images of \(geometry.shape.map(String.init).joined(separator: "×"))"
      )
    case let p as PretrainParameters:
      let shapes = p.views.map { $0.makeChain(channels: geometry.shape[0]).outputShape(for: geometry.shape) }
      return training(p.encoder, viewShapes: shapes, batch: p.batchSize)
    case let p as SupervisedParameters:
      let shape =
        p.augmentation?.makeChain(channels: geometry.shape[0]).outputShape(for: geometry.shape) ?? geometry.shape
      return training(p.encoder, viewShapes: [shape], batch: p.batchSize)
    default:
      guard let encoder = encoderOf(stage, in: spec) else { return (images, "the data") }
      let features = Double(geometry.train + geometry.test) * encoderCost(encoder, shape: geometry.shape).width * 4
      if let p = stage.parameters as? FinetuneParameters {
        let (bytes, what) = training(encoder, viewShapes: [geometry.shape], batch: p.batchSize)
        return (bytes + features, what + " and the features (\(formatted(features)))")
      }
      return (images + features, "the data (\(formatted(images))) and its features (\(formatted(features)))")
    }
  }

  /// The encoder whose features an evaluation stage reads (nil for raw pixels).
  static func encoderOf(_ stage: StageSpec, in spec: PipelineSpec) -> EncoderConfiguration? {
    var current: StageSpec? = stage
    var visited = Set<String>()
    while let node = current, visited.insert(node.name).inserted {
      switch node.parameters {
      case let p as PretrainParameters: return p.encoder
      case let p as SupervisedParameters: return p.encoder
      case let p as RandomEncoderParameters: return p.encoder
      case is DatasetParameters: return nil
      default: current = node.needs.sorted().first.flatMap { spec.stages[$0] }
      }
    }
    return nil
  }

  /// `41.2 GB`, `512 MB`.
  static func formatted(_ bytes: Double) -> String {
    if bytes >= 1e9 { return String(format: "%.1f GB", bytes / 1e9) }
    return String(format: "%.0f MB", max(bytes / 1e6, 1))
  }

  /// Refuses the first stage of `spec` whose estimate exceeds `available` bytes.
  ///
  /// - Throws: `RunError.planning` naming the stage, the estimate, what it counts and the
  ///   machine's memory.
  static func check(_ spec: PipelineSpec, available: Double? = machineBytes) throws(RunError) {
    guard let available else { return }
    for stage in spec.orderedStages {
      guard let (bytes, what) = bytes(of: stage, in: spec), bytes > available else { continue }
      throw RunError(
        .planning, stage: stage.name,
        "needs about \(formatted(bytes)) of memory (\(what)), more than this machine's \(formatted(available)); "
          + "lower the batch size, the crop size, the encoder's widths or the dataset's limit")
    }
  }
}
