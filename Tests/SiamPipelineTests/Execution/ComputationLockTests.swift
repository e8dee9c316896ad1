import Foundation
import SiamPipeline
import Synchronization
import Testing

@Suite struct ComputationLockTests {
  private static let fingerprint = String(repeating: "ab", count: 32)

  @Test func aSecondHolderWaitsUntilTheFirstReleases() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let cache = ArtifactCache(directory: fixture.root + "/cache")
    let first = try ComputationLock.acquire(in: cache, fingerprint: Self.fingerprint)
    #expect(ComputationLock.isHeld(in: cache, fingerprint: Self.fingerprint))
    let waitedFor = Mutex<String?>(nil)
    let acquired = Mutex<Bool>(false)
    let waiting = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    // A thread of its own: a busy dispatch pool must not delay the second holder.
    Thread {
      let second = try? ComputationLock.acquire(in: cache, fingerprint: Self.fingerprint) { holder in
        waitedFor.withLock { $0 = holder }
        waiting.signal()
      }
      acquired.withLock { $0 = second != nil }
      second?.release()
      done.signal()
    }.start()
    #expect(waiting.wait(timeout: .now() + 30) == .success, "the second acquire waits")
    Thread.sleep(forTimeInterval: 0.2)
    #expect(!acquired.withLock { $0 }, "and does not take the lock while the first holds it")
    #expect(
      waitedFor.withLock { $0 }?.hasPrefix("pid \(getpid()) on ") == true, "the waiter is told who holds the lock")
    first.release()
    #expect(done.wait(timeout: .now() + 30) == .success)
    #expect(acquired.withLock { $0 })
    #expect(!ComputationLock.isHeld(in: cache, fingerprint: Self.fingerprint))
  }

  @Test func aKilledHolderReleasesTheLock() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let cache = ArtifactCache(directory: fixture.root + "/cache")
    try FileManager.default.createDirectory(atPath: cache.directory + "/locks", withIntermediateDirectories: true)
    let path = ComputationLock.path(in: cache, fingerprint: Self.fingerprint)
    // Another process takes the lock with flock(1) and becomes `sleep`, which holds it
    // until it is killed.
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/bin/sh")
    holder.arguments = ["-c", "exec 9>>\"$0\"; flock 9; exec sleep 60", path]
    try holder.run()
    defer { if holder.isRunning { holder.terminate() } }
    let deadline = Date().addingTimeInterval(10)
    while !ComputationLock.isHeld(in: cache, fingerprint: Self.fingerprint) && Date() < deadline {
      Thread.sleep(forTimeInterval: 0.02)
    }
    #expect(ComputationLock.isHeld(in: cache, fingerprint: Self.fingerprint))
    kill(holder.processIdentifier, SIGKILL)
    holder.waitUntilExit()
    let lock = try ComputationLock.acquire(in: cache, fingerprint: Self.fingerprint)
    lock.release()
  }

  /// Two runs of the same pipeline started at the same moment: each fingerprint is
  /// computed once, the other run waits and reuses it; both succeed with equal metrics.
  @Test func twoRunsAtOnceComputeEachStageOnce() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let spec = try fixture.spec()
    let results = Mutex<[RunResult]>([])
    let errors = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
      do {
        let result = try fixture.runner().run(spec)
        results.withLock { $0.append(result) }
      } catch {
        errors.withLock { $0.append(String(describing: error)) }
      }
    }
    #expect(errors.withLock { $0 }.isEmpty)
    let runs = results.withLock { $0 }
    #expect(runs.count == 2)
    #expect(runs.allSatisfy { $0.succeeded }, "\(runs.map(\.stages))")
    for name in ["data", "pretrain", "linear", "knn", "pixels"] {
      let statuses = runs.map { $0[name]!.status }
      #expect(statuses.filter { $0 == .completed }.count == 1, "\(name): \(statuses)")
      #expect(statuses.filter { $0 == .cached }.count == 1, "\(name): \(statuses)")
      #expect(runs[0][name]!.metrics == runs[1][name]!.metrics, "\(name)")
    }
    #expect(fixture.entries().count == 5)
  }
}
