import SiamData
import SiamPipeline

/// Loads the datasets of recorded pipelines for the report, each once: the dataset
/// stage upstream of a stage, through the same code `siam run` uses
/// (`DatasetStageRunner.load`), so limits and sources match the run.
final class DatasetLoader: @unchecked Sendable {
  /// Resolved parameters of the dataset stage → the loaded splits, or why not.
  private var loaded: [String: Result<LoadedDataset, DatasetUnavailable>] = [:]

  /// Why a dataset cannot be shown.
  struct DatasetUnavailable: Error {
    var message: String
  }

  /// The train and test splits of the dataset upstream of `stage`.
  func dataset(upstreamOf stage: String, in spec: PipelineSpec) -> Result<LoadedDataset, DatasetUnavailable> {
    guard let node = spec.datasetStage(upstreamOf: stage),
      let parameters = node.parameters as? DatasetParameters
    else { return .failure(.init(message: "no dataset stage upstream of \(stage)")) }
    let identity = node.resolvedParameters.canonicalString
    if let cached = loaded[identity] { return cached }
    let result: Result<LoadedDataset, DatasetUnavailable>
    do {
      result = .success(try DatasetStageRunner.load(parameters))
    } catch {
      let text = "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
      result = .failure(.init(message: "the dataset of stage '\(node.name)' is not available here: \(text)"))
    }
    loaded[identity] = result
    return result
  }
}
