import Foundation
import SiamPipeline
import SiamStore
import Testing

/// `--executor local`: child processes of the real `siam` binary, shards merged into the
/// main store.
@Suite(.serialized) struct LocalExecutorTests {
  static var local: ExecutorSpec {
    var spec = ExecutorSpec(type: .local)
    spec.maxParallel = 2
    return spec
  }

  @Test func pointsRunAsTasksAndMergeIntoOneStoreBitIdenticalToInProcess() throws {
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    let (coordinator, submitted, statuses) = try fixture.run(Self.local)
    #expect(submitted == [0, 1, 2])
    #expect(statuses.map(\.status) == [.finished, .finished, .finished], "\(statuses)")

    // The shared stages ran once, in the shared task: every point found them cached.
    let store = try RunStore.open(path: fixture.storePath)
    let runs = try store.runs(sweep: coordinator.id)
    #expect(runs.count == 3 && Set(runs.compactMap(\.sweepPoint)) == [0, 1, 2])
    for run in runs {
      let stages = Dictionary(uniqueKeysWithValues: try store.stages(run: run.id).map { ($0.stage, $0) })
      #expect(stages["data"]?.status == .cached && stages["pretrain"]?.status == .cached, "\(run.id)")
      #expect(stages["knn"]?.status == .completed)
    }
    #expect(coordinator.workspace.readSharedTask()?.state == .finished)
    // Where each point ran is recorded with it.
    let rows = try store.sweepPoints(sweep: coordinator.id)
    #expect(rows.map(\.executor) == ["local", "local", "local"])
    #expect(rows.allSatisfy { $0.node != nil && $0.runSeconds != nil && $0.queuedSeconds != nil && $0.runID != nil })

    // The same points in this process, at the same thread count: the same bits.
    let reference = try fixture.runInProcess()
    let inProcess = try SweepExecutorFixture.recorded(
      store: fixture.folder + "/in-process/siam.sqlite", sweep: reference.id)
    let distributed = try SweepExecutorFixture.recorded(store: fixture.storePath, sweep: coordinator.id)
    #expect(!distributed.metrics.isEmpty && distributed.metrics == inProcess.metrics)
    #expect(!distributed.artifacts.isEmpty && distributed.artifacts == inProcess.artifacts)

    // Merging again (a later status) changes nothing.
    let before = try store.runs(sweep: coordinator.id).map(\.id).sorted()
    let again = coordinator.refresh()
    #expect(again.map(\.status) == statuses.map(\.status))
    #expect(try store.runs(sweep: coordinator.id).map(\.id).sorted() == before)
  }

  @Test func aFailedPointIsRecordedAndTheSameCommandResubmitsOnlyIt() throws {
    // A learning rate of 1e38 makes the second point's pretraining diverge.
    let fixture = try SweepExecutorFixture(learningRates: ["0.05", "1.0e38"])
    defer { fixture.remove() }
    let first = try fixture.run(Self.local)
    #expect(first.statuses.map(\.status) == [.finished, .failed], "\(first.statuses)")
    let failed = try RunStore.open(path: fixture.storePath).sweepPoints(sweep: first.coordinator.id)[1]
    #expect(failed.status == .failed && failed.error?.contains("pretrain") == true, "\(failed)")
    #expect(failed.logTail?.isEmpty == false)

    let second = try fixture.run(Self.local)
    #expect(second.coordinator.id == first.coordinator.id, "the same sweep is found again")
    #expect(second.submitted == [1])
    #expect(second.statuses.map(\.status) == [.finished, .failed])
    // Two attempts of point 2, one of point 1: nothing duplicated.
    let runs = try RunStore.open(path: fixture.storePath).runs(sweep: first.coordinator.id)
    #expect(runs.filter { $0.sweepPoint == 0 }.count == 1 && runs.filter { $0.sweepPoint == 1 }.count == 2)
  }

  @Test func aDamagedShardFailsOnlyItsPoint() throws {
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    let (coordinator, _, _) = try fixture.run(Self.local)
    // A new main store, and point 1's shard cut in half: the others merge, it fails.
    try FileManager.default.removeItem(atPath: fixture.storePath)
    for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: fixture.storePath + suffix) }
    let shard = coordinator.workspace.shardPath(point: 1)
    let data = try Data(contentsOf: URL(fileURLWithPath: shard))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: shard))
    for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: shard + suffix) }
    for point in 0..<3 {
      try? FileManager.default.removeItem(atPath: coordinator.workspace.shardPath(point: point) + ".merged")
    }
    let attached = try SweepCoordinator.attach(id: coordinator.id, settings: fixture.settings(Self.local))
    let statuses = attached.refresh()
    #expect(statuses.map(\.status) == [.finished, .failed, .finished], "\(statuses)")
    #expect(statuses[1].error?.contains("shard") == true)
    #expect(try RunStore.open(path: fixture.storePath).runs(sweep: coordinator.id).count == 2)
  }

  @Test func twoSubmissionsAtOnceRunEachPointOnce() throws {
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    let outcomes = LockedArray()
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
      outcomes.append(Result { try fixture.run(Self.local) })
    }
    let results = try outcomes.values.map { try $0.get() }
    #expect(results.count == 2 && results[0].coordinator.id == results[1].coordinator.id)
    #expect(results.map(\.submitted.count).sorted() == [0, 3], "one of the two submits every point")
    #expect(results.allSatisfy { $0.statuses.allSatisfy { $0.status == .finished } })
    let runs = try RunStore.open(path: fixture.storePath).runs(sweep: results[0].coordinator.id)
    #expect(runs.count == 3, "no point ran twice")
  }
}

/// Results gathered from several threads.
final class LockedArray: @unchecked Sendable {
  typealias Outcome = Result<
    (coordinator: SweepCoordinator, submitted: [Int], statuses: [SweepCoordinator.PointStatus]), any Error
  >
  private let lock = NSLock()
  private var items: [Outcome] = []
  func append(_ item: Outcome) { lock.withLock { items.append(item) } }
  var values: [Outcome] { lock.withLock { items } }
}
