import Dispatch
import Foundation
import Synchronization
import Testing

@testable import SiamTensor

@Suite struct ParallelTests {
  /// How many times each item ran.
  private final class Visits: Sendable {
    private let counts: Mutex<[Int]>
    init(_ count: Int) { counts = Mutex(Array(repeating: 0, count: count)) }
    func record(_ item: Int) { counts.withLock { $0[item] += 1 } }
    var all: [Int] { counts.withLock { $0 } }
  }

  @Test(arguments: [1, 2, 3, 4])
  func everyItemRunsExactlyOnce(threads: Int) {
    for count in [0, 1, 2, 7, 1000] {
      let visits = Visits(count)
      Parallel.withThreadCount(threads) {
        Parallel.forEachClaimed(count, minimumWork: 1) { items in
          for item in items { visits.record(item) }
        }
      }
      #expect(visits.all == Array(repeating: 1, count: count), "\(count) items on \(threads) threads")
    }
  }

  @Test func smallRegionsRunInlineInOrder() {
    var order: [Int] = []
    Parallel.withThreadCount(2) {
      Parallel.forEachClaimed(5, costPerItem: 1, minimumWork: 1 << 15) { items in
        #expect(order.isEmpty, "one call takes every item")
        for item in items { order.append(item) }
      }
    }
    #expect(order == [0, 1, 2, 3, 4])
  }

  /// While one thread is held up on the first item, the other runs every other item:
  /// `forEach`'s fixed halves would leave items 1–9 waiting behind item 0.
  @Test(.enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2))
  func aHeldUpThreadDoesNotHoldUpTheOtherItems() {
    let count = 20
    let visits = Visits(count)
    let othersDone = DispatchSemaphore(value: 0)
    let finishedWhileHeld = Mutex(false)
    Parallel.withThreadCount(2) {
      Parallel.forEachClaimed(count, minimumWork: 1) { items in
        for item in items {
          if item == 0 {
            let done = othersDone.wait(timeout: .now() + 10) == .success
            finishedWhileHeld.withLock { $0 = done }
          } else if item == count - 1 {
            // Items are claimed in order, so the last claim means every other item was
            // claimed; wait for the ones still running.
            while visits.all.dropFirst().dropLast().contains(0) { usleep(100) }
            othersDone.signal()
          }
          visits.record(item)
        }
      }
    }
    #expect(finishedWhileHeld.withLock { $0 })
    #expect(visits.all == Array(repeating: 1, count: count))
  }
}

@Suite struct BLASThreadScopeTests {
  /// One BLAS thread for one task: that task reads 1 while another task, running at the
  /// same time, still reads the process-wide count (which a test run records).
  @Test func oneThreadForThisTaskLeavesOtherTasksAlone() async {
    let processWide = BLAS.threadCount
    let inside = Mutex<Int?>(nil)
    let (entered, release) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
    let scoped = Task.detached {
      BLAS.withOneThreadForThisTask {
        inside.withLock { $0 = BLAS.threadCount }
        entered.signal()
        release.wait()
      }
    }
    entered.wait()
    let outside = await Task.detached { BLAS.threadCount }.value
    release.signal()
    await scoped.value
    #expect(inside.withLock { $0 } == 1)
    #expect(outside == processWide)
    #expect(BLAS.threadCount == processWide)
  }
}
