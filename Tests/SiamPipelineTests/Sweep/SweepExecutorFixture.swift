import Foundation
import SiamPipeline
import SiamStore
import SiamTensor
import _SiamTestSupport

/// A tiny sweep (three points sharing `data` and `pretrain`, varying the kNN's `k`) in a
/// folder of its own, run by the `siam` binary this package builds.
struct SweepExecutorFixture {
  let folder: String
  let file: String

  /// - Parameters:
  ///   - ks: The kNN's `k` per point.
  ///   - epochs: Pretraining epochs (many make a point slow enough to cancel).
  ///   - learningRates: When given, the sweep's axis instead of `k` (a huge rate makes that
  ///     point's pretraining diverge: a point that fails while it runs).
  init(ks: [Int] = [3, 5, 7], epochs: Int = 2, learningRates: [String]? = nil) throws {
    folder =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-exec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    file = folder + "/tiny.yaml"
    let axis =
      learningRates.map { "stages.pretrain.optimizer.lr: [\($0.joined(separator: ", "))]" }
      ?? "stages.knn.k: [\(ks.map(String.init).joined(separator: ", "))]"
    let yaml =
      TinyPipeline.yaml(name: "tiny-sweep", epochs: epochs, stages: ["knn: {kind: knn, needs: [pretrain], k: 5}"])
      + "sweep:\n  grid:\n    \(axis)\n"
    try Data(yaml.utf8).write(to: URL(fileURLWithPath: file))
  }

  func remove() { try? FileManager.default.removeItem(atPath: folder) }

  var root: String { folder + "/runs" }
  var storePath: String { root + "/siam.sqlite" }

  /// The `siam` binary of this build (`swift build --build-tests` builds it).
  static var executable: String {
    let candidates = [".build/debug/siam", ".build/x86_64-unknown-linux-gnu/debug/siam"].map {
      "\(TestPaths.packageRoot)/\($0)"
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
  }

  func sweep() throws -> Sweep { try Sweep.expand(path: file) }

  func settings(_ executor: ExecutorSpec, threads: Int = 1) -> SweepCoordinator.Settings {
    var settings = SweepCoordinator.Settings(
      root: root, storePath: storePath, executor: executor, executable: Self.executable)
    settings.threads = threads
    settings.pollInterval = 0.2
    return settings
  }

  /// Plans, submits and waits.
  func run(_ executor: ExecutorSpec, threads: Int = 1, configure: (inout SweepCoordinator.Settings) -> Void = { _ in })
    throws -> (coordinator: SweepCoordinator, submitted: [Int], statuses: [SweepCoordinator.PointStatus])
  {
    let sweep = try sweep()
    var settings = settings(executor, threads: threads)
    configure(&settings)
    let plan = try SweepRunner(options: RunOptions(root: root)).plan(sweep)
    let (coordinator, submitted) = try SweepCoordinator.submit(sweep, plan: plan, settings: settings)
    return (coordinator, submitted, coordinator.wait())
  }

  /// The same sweep in this process, one point after another, on one engine thread and
  /// one BLAS thread as the tasks run (`settings`), recorded into `in-process/siam.sqlite`
  /// (the reference). Both counts are set for this test's task only: the tests running
  /// beside it keep (and record) the process-wide counts.
  @discardableResult
  func runInProcess() throws -> SweepResult {
    let store = try RunStore.open(path: folder + "/in-process/siam.sqlite")
    return try Parallel.withThreadCount(1) {
      try BLAS.withOneThreadForThisTask {
        try SweepRunner(options: RunOptions(root: folder + "/in-process")).run(
          try sweep(), observer: Recording(store: store))
      }
    }
  }

  /// Records an in-process sweep as `siam sweep` does.
  final class Recording: SweepObserver {
    let store: RunStore
    init(store: RunStore) { self.store = store }
    func sweepDidStart(id: String, directory: String, sweep: Sweep, plan: SweepPlan) {
      try? store.createSweep(id: id, pipeline: sweep.pipeline, axesJSON: "[]")
    }
    func runObservers(for point: SweepPoint, sweepID: String) -> [any RunObserver] {
      [StoreRecorder(store: store, sweepID: sweepID, sweepPoint: point.index)]
    }
  }

  /// Point → `stage key context` → last value of every series but the per-step ones and
  /// the timings, and point → `stage/artifact` → SHA-256, of the finished runs of sweep
  /// `id` in a store.
  static func recorded(store path: String, sweep id: String) throws -> (
    metrics: [Int: [String: Double]], artifacts: [Int: [String: String]]
  ) {
    let store = try RunStore.open(path: path)
    var metrics: [Int: [String: Double]] = [:]
    var artifacts: [Int: [String: String]] = [:]
    for run in try store.runs(sweep: id) where run.status == .finished {
      let point = run.sweepPoint ?? -1
      for summary in try store.summaries(run: run.id)
      where summary.context != StoreRecorder.stepContext && !RunVerification.isTiming(summary.key) {
        metrics[point, default: [:]]["\(summary.stage) \(summary.key) \(summary.context)"] = summary.last
      }
      // metrics.json holds the epochs' timings; its other members are the metrics above.
      for artifact in try store.artifacts(run: run.id) where artifact.name != "metrics.json" {
        artifacts[point, default: [:]]["\(artifact.stage)/\(artifact.name)"] = artifact.sha256
      }
    }
    return (metrics, artifacts)
  }
}
