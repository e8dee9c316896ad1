import Foundation
import SiamData
import SiamEval
import SiamNN
import SiamTensor

extension StageContext {
  /// The frozen train and test features of the representation stage `name` (the single
  /// input of an evaluation stage):
  ///
  /// - a `dataset` stage: raw pixels (the baseline);
  /// - a `pretrain`, `supervised`, `finetune` or `random_encoder` stage: its encoder, rebuilt from the stage's encoder configuration and
  ///   loaded from the entry's `encoder.safetensors`, in evaluation mode.
  ///
  /// Extracted once per process and per input fingerprint (linear probe and kNN share).
  public func features(of name: String) throws -> (train: FeatureSet, test: FeatureSet) {
    let input = spec.stages[name]!
    let fingerprint = session.plan[name]!.fingerprint
    if let cached = session.features[fingerprint] { return cached }
    let data = try dataset(upstreamOf: name)
    let result: (train: FeatureSet, test: FeatureSet)
    switch input.kind {
    case DatasetParameters.kind:
      result = (Baselines.rawPixelFeatures(data.train), Baselines.rawPixelFeatures(data.test))
    case PretrainParameters.kind, FinetuneParameters.kind, SupervisedParameters.kind, RandomEncoderParameters.kind:
      let encoder = try loadEncoder(of: name)
      let extractor = FeatureExtractor()
      log("extracting the features of stage '\(name)' (\(data.train.count) train + \(data.test.count) test images)")
      result = (
        try extractor.extract(encoder: encoder, dataset: data.train),
        try extractor.extract(encoder: encoder, dataset: data.test)
      )
    default:
      throw RunError(.stageFailed, "evaluating the output of a '\(input.kind)' stage is not supported yet")
    }
    session.features[fingerprint] = result
    return result
  }

  /// The configuration of the encoder a `pretrain`, `supervised` or `finetune` stage
  /// trains (a finetune stage's is its input's).
  public func encoderConfiguration(of name: String) throws -> EncoderConfiguration {
    let stage = spec.stages[name]!
    switch stage.parameters {
    case let p as PretrainParameters: return p.encoder
    case let p as SupervisedParameters: return p.encoder
    case let p as RandomEncoderParameters: return p.encoder
    case is FinetuneParameters: return try encoderConfiguration(of: stage.needs.sorted()[0])
    default: throw RunError(.stageFailed, stage: name, "a '\(stage.kind)' stage has no encoder")
    }
  }

  /// The trained encoder of the stage `name` (pretrain, supervised, finetune), from the
  /// `encoder.safetensors` of its cache entry.
  public func loadEncoder(of name: String) throws -> any FeatureEncoder {
    let data = try dataset(upstreamOf: name)
    let encoder = try encoderConfiguration(of: name).makeEncoder(
      inputShape: data.train.imageShape, key: RandomKey(seed: 0))
    let path = inputDirectory(name) + "/encoder.safetensors"
    let tensors = try SafeTensors.read(from: path).tensors
    try encoder.loadTensors(tensors, isStrict: true, source: path)
    encoder.eval()
    return encoder
  }

  /// Writes an `Encodable` value as sorted, pretty JSON to `name` in the output folder.
  public func writeEncodable<T: Encodable>(_ value: T, to name: String) throws {
    try JSONCoding.encoder().encode(value).write(to: URL(fileURLWithPath: outputDirectory + "/" + name))
  }
}
