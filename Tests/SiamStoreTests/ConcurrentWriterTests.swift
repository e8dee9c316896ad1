import Foundation
import SiamStore
import Testing

/// Writers on separate connections at once (threads here; processes in SiamCLITests):
/// no "database is locked" failure and no lost row.
@Suite struct ConcurrentWriterTests {
  @Test func threadsWithSeparateConnectionsLoseNothing() throws {
    let fixture = StoreFixture()
    defer { fixture.remove() }
    _ = try RunStore.open(path: fixture.path)
    let writers = 3
    let runsPerWriter = 4
    let failures = Failures()
    DispatchQueue.concurrentPerform(iterations: writers) { writer in
      do {
        let store = try RunStore.open(path: fixture.path)
        for index in 0..<runsPerWriter {
          let id = "w\(writer)-\(index)"
          try StoreFixture.begin(store, id: id)
          let metrics = (0..<100).map {
            MetricRecord(run: id, stage: "pretrain", key: "loss", step: $0, value: Double($0))
          }
          try store.appendMetrics(metrics)
          try store.heartbeat(run: id)
          try store.finishRun(id: id, status: .finished)
        }
      } catch {
        failures.append("\(error)")
      }
    }
    #expect(failures.all.isEmpty, "\(failures.all)")
    let store = try RunStore.open(path: fixture.path)
    #expect(try store.runs(status: .finished).count == writers * runsPerWriter)
    let count = try RunStore.query(path: fixture.path, sql: "SELECT count(*), sum(count) FROM metric_summary")
    #expect(count.rows == [[.integer(Int64(writers * runsPerWriter)), .integer(Int64(writers * runsPerWriter * 100))]])
  }
}

/// Error messages collected from several threads.
final class Failures: @unchecked Sendable {
  private let lock = NSLock()
  private var messages: [String] = []

  func append(_ message: String) {
    lock.lock()
    messages.append(message)
    lock.unlock()
  }

  var all: [String] {
    lock.lock()
    defer { lock.unlock() }
    return messages
  }
}
