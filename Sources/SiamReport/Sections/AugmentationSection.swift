import Foundation
import SiamData
import SiamPipeline

/// The augmentation preview grid of each pretrain stage's view chains, drawn with
/// `SiamData`'s `AugmentationPreview` from the run's resolved pipeline and dataset and
/// embedded as a PNG `data:` URI: one row per sample (the first of each class), the
/// original first, then four draws of every view chain.
///
/// Identical chains on identical data (the points of a sweep that does not touch them)
/// are drawn once; at most `limit` grids. A dataset that is not on this machine gives a
/// note instead of a grid.
struct AugmentationSection {
  var input: ReportInput
  var datasets: DatasetLoader
  var limit = 4
  var samples = 6
  var viewsPerChain = 4

  func markup() -> Markup? {
    var children: [Markup] = [
      .element("h2", ["id": "augmentations"], text: "Augmentations"),
      .element(
        "p", ["class": "note"],
        text: """
          Each row is one training image: the original, then \(viewsPerChain) random draws of each view \
          chain of the pretrain stage, drawn by SiamData's preview code from the recorded pipeline.
          """),
    ]
    var seen = Set<String>()
    var shown = 0
    for run in input.runs {
      guard let spec = run.spec else { continue }
      for stage in run.stages(ofKind: PretrainParameters.kind) {
        guard let node = spec.stages[stage], let parameters = node.parameters as? PretrainParameters else { continue }
        let data = spec.datasetStage(upstreamOf: stage)?.resolvedParameters.canonicalString ?? ""
        let identity = (node.resolvedParameters["views"]?.canonicalString ?? "") + data
        guard seen.insert(identity).inserted else { continue }
        guard shown < limit else {
          children.append(
            .element("p", ["class": "note"], text: "More view chains in the selection are not shown (first \(limit))."))
          return .element("section", ["id": "augmentations-section"], children)
        }
        shown += 1
        children.append(.element("h3", text: "\(run.label) · \(stage)"))
        children += grid(spec: spec, stage: stage, parameters: parameters, node: node)
      }
    }
    return shown == 0 ? nil : .element("section", ["id": "augmentations-section"], children)
  }

  /// The picture and the chains' definitions, or a note saying why there is none.
  func grid(spec: PipelineSpec, stage: String, parameters: PretrainParameters, node: StageSpec) -> [Markup] {
    let chainsText = (node.resolvedParameters["views"]?.arrayValue ?? []).enumerated().map { index, chain in
      "view \(index + 1): \(chain.canonicalString)"
    }
    let definition = Markup.element("pre", [:], [.element("code", text: chainsText.joined(separator: "\n"))])
    switch datasets.dataset(upstreamOf: stage, in: spec) {
    case .failure(let problem):
      return [.element("p", ["class": "note"], text: "No preview: \(problem.message)."), definition]
    case .success(let data):
      let train = data.train
      do {
        let chains = parameters.views.map { $0.makeChain(channels: train.imageShape[0]) }
        let side = train.imageShape.count == 3 ? train.imageShape[2] : 28
        let picture = try AugmentationPreview.makePicture(
          dataset: train, sampleIndices: AugmentationPreview.representativeSamples(of: train, count: samples),
          chains: chains, viewsPerChain: viewsPerChain, seed: UInt64(bitPattern: Int64(spec.seed)),
          scale: side <= 32 ? 3 : 1, gap: 2)
        let png = try PNGEncoder.encode(picture)
        let uri = "data:image/png;base64," + Data(png).base64EncodedString()
        return [
          .element(
            "figure", [:],
            [
              .element(
                "img",
                [
                  "class": "preview", "src": uri, "alt": "augmented views of \(train.name) for stage \(stage)",
                  "width": String(picture.width), "height": String(picture.height),
                ]),
              .element(
                "figcaption",
                text: "\(train.name): original, then \(viewsPerChain) draws of each of \(chains.count) view chains."),
            ]),
          definition,
        ]
      } catch {
        return [.element("p", ["class": "note"], text: "No preview: \(error)."), definition]
      }
    }
  }
}
