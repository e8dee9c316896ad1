import Foundation
import SiamData
import SiamEval
import SiamNN
import SiamPipeline
import SiamTensor

/// Per run (at most `limit`): a 2-D PCA projection of test-set embeddings coloured by
/// class, and the confusion matrix of the linear probe.
///
/// Embeddings come from an `embed` stage's `test.safetensors` when the run has one;
/// otherwise the report loads the pretrain stage's `encoder.safetensors` and extracts
/// features of the first `maximumSamples` test images with `SiamEval`'s
/// `FeatureExtractor` (the dataset must be on this machine). The confusion matrix is
/// the `confusion` of the linear probe's `metrics.json` (rows: true class, columns:
/// predicted), of a probe on the run's own encoder when there is one.
struct EmbeddingSection {
  var input: ReportInput
  var datasets: DatasetLoader
  var limit = 4
  var maximumSamples = 2000

  func markup() -> Markup? {
    var children: [Markup] = [
      .element("h2", ["id": "embeddings"], text: "Embeddings and errors"),
      .element(
        "p", ["class": "note"],
        text: """
          Left: the test embeddings projected on their two principal components, coloured by class \
          (from an embed stage, else extracted with the pretrained encoder on at most \(maximumSamples) \
          test images). Right: the linear probe's confusion matrix on the test split, rows the true \
          class, shaded by the fraction of the row.
          """),
    ]
    var shown = 0
    for run in input.runs.prefix(limit) {
      var figures: [Markup] = []
      var notes: [String] = []
      switch scatter(run) {
      case .success(let (chart, source)):
        figures.append(.element("figure", [:], [chart.svg(), .element("figcaption", text: source)]))
      case .failure(let problem): if let message = problem.message { notes.append(message) }
      }
      if let heatmap = confusion(run) { figures.append(.element("figure", [:], [heatmap.svg()])) }
      guard !figures.isEmpty || !notes.isEmpty else { continue }
      shown += 1
      children.append(.element("h3", text: run.label))
      children += notes.map { .element("p", ["class": "note"], text: $0) }
      if !figures.isEmpty { children.append(.element("div", ["class": "charts"], figures)) }
    }
    if input.runs.count > limit {
      children.append(.element("p", ["class": "note"], text: "Only the first \(limit) runs are shown here."))
    }
    return shown == 0 ? nil : .element("section", ["id": "embeddings-section"], children)
  }

  /// Why there is no scatter plot; nil message: nothing to say (no encoder at all).
  struct Missing: Error {
    var message: String?
  }

  /// The PCA scatter of `run`'s test embeddings.
  func scatter(_ run: ReportRun) -> Result<(ScatterChart, String), Missing> {
    guard let spec = run.spec else { return .failure(Missing(message: run.specProblem)) }
    let source: String
    let features: [Float]
    let labels: [Int]
    let rows: Int
    let columns: Int
    let dataStage: StageSpec?
    if let embed = run.stages(ofKind: EmbedParameters.kind).first,
      let path = run.artifactPath(stage: embed, name: "test.safetensors")
    {
      guard let tensors = try? SafeTensors.read(from: path).tensors, let x = tensors["features"],
        let y = tensors["labels"],
        x.shape.count == 2, x.shape[0] >= 2
      else { return .failure(Missing(message: "The embed stage's test.safetensors cannot be read.")) }
      rows = min(x.shape[0], maximumSamples)
      columns = x.shape[1]
      features = Array(x.scalars.prefix(rows * columns))
      labels = y.scalars.prefix(rows).map { Int($0) }
      source = "embed stage '\(embed)'"
      dataStage = spec.datasetStage(upstreamOf: embed)
    } else if let pretrain = run.stages(ofKind: PretrainParameters.kind).first,
      let parameters = spec.stages[pretrain]?.parameters as? PretrainParameters
    {
      guard let path = run.artifactPath(stage: pretrain, name: "encoder.safetensors") else {
        return .failure(
          Missing(message: "No embeddings: the encoder of stage '\(pretrain)' is no longer in the cache."))
      }
      let data: LoadedDataset
      switch datasets.dataset(upstreamOf: pretrain, in: spec) {
      case .success(let loaded): data = loaded
      case .failure(let problem): return .failure(Missing(message: "No embeddings: \(problem.message)."))
      }
      let test = data.test.subset(indices: Array(0..<min(maximumSamples, data.test.count)))
      do {
        let encoder = parameters.encoder.makeEncoder(inputShape: data.train.imageShape, key: RandomKey(seed: 0))
        try encoder.loadTensors(try SafeTensors.read(from: path).tensors, isStrict: true, source: path)
        encoder.eval()
        let set = try FeatureExtractor().extract(encoder: encoder, dataset: test)
        rows = set.count
        columns = set.dimension
        features = set.features.scalars
        labels = set.labels
      } catch {
        return .failure(Missing(message: "No embeddings: \(error)"))
      }
      source = "encoder of stage '\(pretrain)', first \(rows) test images"
      dataStage = spec.datasetStage(upstreamOf: pretrain)
    } else {
      return .failure(Missing(message: nil))
    }
    guard rows >= 2 else { return .failure(Missing(message: "Too few embeddings for a projection.")) }
    let pca = PrincipalComponents(features: features, rows: rows, columns: columns)
    let points = (0..<rows).map {
      ScatterChart.Point(x: pca.projected[2 * $0], y: pca.projected[2 * $0 + 1], classIndex: labels[$0])
    }
    let classes = (labels.max() ?? 0) + 1
    let names = ClassNames.names(source: (dataStage?.parameters as? DatasetParameters)?.source, count: classes)
    func axis(_ index: Int) -> String {
      String(format: "PC%d (%.0f%% of variance)", index + 1, pca.explainedFraction(index) * 100)
    }
    let chart = ScatterChart(
      title: "PCA of \(rows) test embeddings", xLabel: axis(0), yLabel: axis(1), points: points, classNames: names)
    return .success((chart, "Embeddings: \(source)."))
  }

  /// The confusion matrix of the run's linear probe (its own encoder's first).
  func confusion(_ run: ReportRun) -> Heatmap? {
    let probes = run.stages(ofKind: LinearProbeParameters.kind)
    let ordered = probes.filter { EvaluationResult.baselineName(of: $0, in: run) == nil } + probes
    for stage in ordered {
      guard let path = run.artifactPath(stage: stage, name: "metrics.json"),
        let data = FileManager.default.contents(atPath: path), let json = try? CanonicalJSON.parse(data),
        let rows = json["confusion"]?.arrayValue
      else { continue }
      let matrix = rows.map { ($0.arrayValue ?? []).map { $0.doubleValue ?? 0 } }
      guard !matrix.isEmpty else { continue }
      let dataStage = run.spec.flatMap { $0.datasetStage(upstreamOf: stage) }
      let names = ClassNames.names(source: (dataStage?.parameters as? DatasetParameters)?.source, count: matrix.count)
      return Heatmap(
        title: "Confusion of '\(stage)' (test)", rowLabel: "true class", columnLabel: "predicted class",
        rowNames: names, columnNames: names, values: matrix)
    }
    return nil
  }
}
