import Foundation
import SiamPipeline
import _SiamTestSupport

/// A tiny pipeline on the synthetic set (64 images of 1×12×12, a [4, 8] ConvNet, two
/// epochs of 4 steps) and a fresh `runs/` root per test.
struct RunFixture {
  static let yaml = TinyPipeline.yaml(
    name: "tiny",
    stages: [
      "linear: {kind: linear_probe, needs: [pretrain], epochs: 2, batch_size: 16}",
      "knn: {kind: knn, needs: [pretrain], k: 5}",
      "pixels: {kind: knn, needs: [data], k: [3, 5]}",
    ])

  let root: String

  init() {
    root =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: root)
  }

  func spec(_ overrides: [String] = [], yaml: String = RunFixture.yaml) throws -> PipelineSpec {
    try PipelineLoader.load(yaml: yaml, overrides: overrides).spec
  }

  func runner(_ configure: (inout RunOptions) -> Void = { _ in }) -> PipelineRunner {
    var options = RunOptions(root: root)
    configure(&options)
    return PipelineRunner(options: options)
  }

  /// Runs and returns stage name → status.
  @discardableResult
  func run(_ overrides: [String] = [], _ configure: (inout RunOptions) -> Void = { _ in }) throws -> RunResult {
    try runner(configure).run(try spec(overrides))
  }

  func entries() -> [String] {
    let cache = root + "/cache"
    let folders = ((try? FileManager.default.contentsOfDirectory(atPath: cache)) ?? []).filter { $0.count == 2 }
    return folders.sorted().flatMap { folder in
      ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/" + folder)) ?? []).sorted()
    }
  }
}

extension RunResult {
  /// Stage name → status.
  var statuses: [String: StageResult.Status] {
    Dictionary(uniqueKeysWithValues: stages.map { ($0.name, $0.status) })
  }

  subscript(stage: String) -> StageResult? { stages.first { $0.name == stage } }

  /// Names of the stages with `status`, sorted.
  func stages(_ status: StageResult.Status) -> [String] {
    stages.filter { $0.status == status }.map(\.name).sorted()
  }
}
