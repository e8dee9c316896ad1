import Foundation
import SiamStore
import Testing

@testable import SiamPipeline

/// The one-machine Slurm cluster of `scripts/slurm-local.sh` (munge, slurmctld, slurmd on
/// 127.0.0.1), started when it is not running. Nothing of Slurm is mocked.
enum SlurmCluster {
  /// Starts the cluster (idempotent), or fails with the script's own account of why not.
  static func ensureRunning() throws {
    let script = TestPaths.packageRoot + "/scripts/slurm-local.sh"
    let output = try Subprocess.run("/bin/bash", [script, "start"])
    if output.status != 0 {
      throw ClusterError(
        description:
          "the one-machine Slurm cluster cannot start (scripts/slurm-local.sh start exited \(output.status)):\n"
          + output.stdout + output.stderr)
    }
  }

  struct ClusterError: Error, CustomStringConvertible {
    var description: String
  }

  /// The jobs of `ids` that squeue still shows as pending or running.
  static func activeJobs(_ ids: [String]) -> [String] {
    guard let output = try? Subprocess.run("/usr/bin/squeue", ["-h", "-j", ids.joined(separator: ","), "-o", "%i %T"])
    else { return [] }
    return output.stdout.split(separator: "\n").map(String.init).filter {
      $0.contains("PENDING") || $0.contains("RUNNING")
    }
  }
}

/// `--executor slurm` against real daemons.
@Suite(.serialized) struct SlurmExecutorTests {
  static func slurm(maxParallel: Int? = nil) -> ExecutorSpec {
    var spec = ExecutorSpec(type: .slurm)
    spec.partition = "debug"
    spec.cpusPerTask = 1
    spec.maxParallel = maxParallel
    return spec
  }

  @Test func aSweepRunsAsJobArraysAndMatchesInProcessBitForBit() throws {
    try SlurmCluster.ensureRunning()
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    let (coordinator, submitted, statuses) = try fixture.run(Self.slurm(maxParallel: 2))
    #expect(submitted == [0, 1, 2])
    #expect(statuses.map(\.status) == [.finished, .finished, .finished], "\(statuses)")

    let manifest = try coordinator.workspace.readManifest()
    #expect(manifest.submissions.map(\.kind) == ["shared", "points"])
    let arrayJob = manifest.submissions[1].jobID
    #expect(statuses.map(\.job) == ["\(arrayJob)_0", "\(arrayJob)_1", "\(arrayJob)_2"])
    let script = try String(contentsOfFile: coordinator.workspace.path + "/slurm/points-1.sbatch", encoding: .utf8)
    #expect(script.contains("sweep task \(coordinator.workspace.path) --point"))

    let rows = try RunStore.open(path: fixture.storePath).sweepPoints(sweep: coordinator.id)
    #expect(rows.map(\.executor) == ["slurm", "slurm", "slurm"])
    #expect(rows.map(\.arrayIndex) == [0, 1, 2] && rows.allSatisfy { $0.jobID == arrayJob })
    #expect(rows.allSatisfy { $0.queuedSeconds != nil && $0.runSeconds != nil && $0.node != nil })

    let reference = try fixture.runInProcess()
    let inProcess = try SweepExecutorFixture.recorded(
      store: fixture.folder + "/in-process/siam.sqlite", sweep: reference.id)
    let distributed = try SweepExecutorFixture.recorded(store: fixture.storePath, sweep: coordinator.id)
    #expect(!distributed.metrics.isEmpty && distributed.metrics == inProcess.metrics)
    #expect(!distributed.artifacts.isEmpty && distributed.artifacts == inProcess.artifacts)
  }

  @Test func arraysLargerThanMaxArraySizeAreSplit() throws {
    try SlurmCluster.ensureRunning()
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    let (coordinator, _, statuses) = try fixture.run(Self.slurm()) { $0.maxArraySize = 2 }
    #expect(statuses.map(\.status) == [.finished, .finished, .finished], "\(statuses)")
    let manifest = try coordinator.workspace.readManifest()
    #expect(manifest.submissions.filter { $0.kind == "points" }.map(\.points) == [[0, 1], [2]])
  }

  @Test func cancelStopsQueuedAndRunningPoints() throws {
    try SlurmCluster.ensureRunning()
    let fixture = try SweepExecutorFixture(epochs: 5000)
    defer { fixture.remove() }
    let sweep = try fixture.sweep()
    let plan = try SweepRunner(options: RunOptions(root: fixture.root)).plan(sweep)
    let (coordinator, submitted) = try SweepCoordinator.submit(
      sweep, plan: plan, settings: fixture.settings(Self.slurm()))
    #expect(submitted == [0, 1, 2])
    // Wait until the shared task (the long pretraining) runs.
    let deadline = Date().addingTimeInterval(60)
    while coordinator.workspace.readSharedTask() == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
    #expect(coordinator.workspace.readSharedTask()?.state == .running)
    let cancelled = try coordinator.cancel()
    #expect(cancelled == [0, 1, 2])
    let statuses = coordinator.refresh()
    #expect(statuses.map(\.status) == [.cancelled, .cancelled, .cancelled], "\(statuses)")
    let ids = try coordinator.workspace.readManifest().submissions.map(\.jobID)
    let gone = Date().addingTimeInterval(30)
    while !SlurmCluster.activeJobs(ids).isEmpty && Date() < gone { Thread.sleep(forTimeInterval: 0.3) }
    #expect(SlurmCluster.activeJobs(ids).isEmpty, "scancel stopped every job")
    let rows = try RunStore.open(path: fixture.storePath).sweepPoints(sweep: coordinator.id)
    #expect(rows.map(\.status) == [.cancelled, .cancelled, .cancelled])
  }

  @Test func aPointCancelledMidPretrainingResumesFromItsCheckpointWhenSubmittedAgain() throws {
    try SlurmCluster.ensureRunning()
    // Two points with pretrainings of their own (the learning rate varies), long enough to
    // be cancelled in the middle.
    let fixture = try SweepExecutorFixture(epochs: 40, learningRates: ["0.05", "0.02"])
    defer { fixture.remove() }
    let sweep = try fixture.sweep()
    let plan = try SweepRunner(options: RunOptions(root: fixture.root)).plan(sweep)
    let (coordinator, _) = try SweepCoordinator.submit(sweep, plan: plan, settings: fixture.settings(Self.slurm()))
    // Cancel once some point has written two checkpoints.
    let deadline = Date().addingTimeInterval(120)
    func checkpoints() -> Int {
      let work = fixture.root + "/cache/work"
      return ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).map { folder in
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(work)/\(folder)/checkpoints")) ?? [])
          .filter { $0.hasSuffix(".sha256") }.count
      }.max() ?? 0
    }
    while checkpoints() < 2 && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    #expect(checkpoints() >= 2)
    _ = try coordinator.cancel()
    #expect(coordinator.refresh().contains { $0.status == .cancelled })

    // The same sweep again: only what has no finished record is submitted; the
    // cancelled pretraining resumes from its checkpoint, bit for bit.
    let again = try fixture.run(Self.slurm())
    #expect(again.coordinator.id == coordinator.id)
    #expect(again.statuses.map(\.status) == [.finished, .finished], "\(again.statuses)")
    let logs = (0..<2).compactMap {
      try? String(contentsOfFile: coordinator.workspace.logPath(point: $0), encoding: .utf8)
    }
    #expect(logs.contains { $0.contains("resuming after epoch") }, "\(logs)")
    let reference = try fixture.runInProcess()
    let inProcess = try SweepExecutorFixture.recorded(
      store: fixture.folder + "/in-process/siam.sqlite", sweep: reference.id)
    let distributed = try SweepExecutorFixture.recorded(store: fixture.storePath, sweep: coordinator.id)
    #expect(!distributed.metrics.isEmpty && distributed.metrics == inProcess.metrics)
  }

  @Test func slurmRefusingAJobShowsItsMessageAndRecordsNothingFinished() throws {
    try SlurmCluster.ensureRunning()
    let fixture = try SweepExecutorFixture()
    defer { fixture.remove() }
    var executor = Self.slurm()
    executor.partition = "no-such-partition"
    #expect {
      try fixture.run(executor)
    } throws: { error in
      let message = (error as? RunError)?.description ?? ""
      return message.contains("Slurm refused") && message.lowercased().contains("partition")
    }
    let rows = try RunStore.open(path: fixture.storePath).sweepPoints(
      sweep: SweepCoordinator.latestID(root: fixture.root) ?? "")
    #expect(rows.allSatisfy { $0.status != .finished })
  }

  @Test func aMissingSlurmCommandNamesItsPackage() {
    #expect {
      try SlurmLauncher.tool("sbatch-not-installed-anywhere")
    } throws: { error in
      (error as? RunError)?.message.contains("apt-get install slurm-client") == true
    }
  }

  @Test func squeueArrayRangesExpand() {
    #expect(SlurmLauncher.arrayIndices("0-3%2") == [0, 1, 2, 3])
    #expect(SlurmLauncher.arrayIndices("2,5-7") == [2, 5, 6, 7])
    #expect(SlurmLauncher.arrayIndices("4") == [4])
    #expect(SlurmLauncher.taskState(slurm: "PENDING", node: "", reason: "Dependency") == .queued(reason: "Dependency"))
    #expect(SlurmLauncher.taskState(slurm: "RUNNING", node: "n1", reason: "None") == .running(node: "n1"))
    #expect(
      SlurmLauncher.taskState(slurm: "TIMEOUT", node: "n1", reason: "") == .ended(state: "TIMEOUT", exitCode: nil))
  }
}
