import Foundation
import SiamPipeline
import Synchronization
import Testing

@Suite struct CacheCollectorTests {
  typealias Tree = CacheInventoryTests
  static let day: TimeInterval = 86400

  /// `what name` of each removal, sorted.
  static func names(_ items: [CacheCollector.Item]) -> [String] {
    items.map { "\($0.what.rawValue) \($0.name)" }.sorted()
  }

  @Test func thePlanRemovesWhatNothingNeeds() throws {
    let tree = try Tree.makeTree()
    defer { tree.remove() }
    let inventory = try CacheInventory.scan(root: tree.root)
    let plan = CacheCollector(policy: .init(now: tree.now)).plan(inventory)
    #expect(
      Self.names(plan.removals) == [
        "corrupt \(Tree.old)-1700000000-1", "entry \(Tree.old)", "entry \(Tree.recent)",
        "replaced \(Tree.old)-1700000000-2", "tmp \(Tree.old)-99999999-1", "tmp junk",
        "work \(CacheTree.fingerprint("ee"))",
      ])
    // Kept: the live and the linked entry, this process's tmp folder; junk2 and ff… are
    // younger than the 1 h margin.
    #expect(plan.live.count == 1 && plan.linked.count == 1 && plan.recent.count == 2)
    let entry = try #require(plan.removals.first { $0.name == Tree.old })
    #expect(entry.kind == "pretrain" && entry.stage == "pretrain" && entry.reason.contains("last used 10 d ago"))
    #expect(plan.removals.first { $0.name.hasSuffix("-99999999-1") }?.reason.contains("process 99999999") == true)
    #expect(plan.removals.first { $0.name == "junk" }?.reason == "names no process; untouched for 2 h")
    #expect(plan.removals.first { $0.what == .corrupt }?.reason == "failed verification; untouched for 3 d")
  }

  @Test func olderThanKeepsWhatWasUsedRecently() throws {
    let tree = try Tree.makeTree()
    defer { tree.remove() }
    let inventory = try CacheInventory.scan(root: tree.root)
    let plan = CacheCollector(policy: .init(olderThan: 7 * Self.day, now: tree.now)).plan(inventory)
    #expect(Self.names(plan.removals) == ["entry \(Tree.old)", "replaced \(Tree.old)-1700000000-2"])
    #expect(plan.recent.count == 7)
    // A margin below --older-than changes nothing; keepsWork (the CLI default; --include-work clears it) leaves work/ alone.
    let kept = CacheCollector(policy: .init(keepsWork: true, now: tree.now)).plan(inventory)
    #expect(!kept.removals.contains { $0.what == .work } && kept.recent.count == 1)
  }

  @Test func aDryRunRemovesNothing() throws {
    let tree = try Tree.makeTree()
    defer { tree.remove() }
    let before = FileManager.default.subpaths(atPath: tree.root)?.sorted()
    let outcome = try CacheCollector(policy: .init(now: tree.now)).collect(root: tree.root, dryRun: true)
    #expect(outcome.isDryRun && outcome.removed.count == 7 && outcome.inUse.isEmpty && outcome.problems.isEmpty)
    #expect(FileManager.default.subpaths(atPath: tree.root)?.sorted() == before)
  }

  @Test func collectingRemovesThePlanAndKeepsTheRest() throws {
    let tree = try Tree.makeTree()
    defer { tree.remove() }
    let inventory = try CacheInventory.scan(root: tree.root)
    let outcome = try CacheCollector(policy: .init(now: tree.now)).collect(root: tree.root, dryRun: false)
    #expect(outcome.problems.isEmpty, "\(outcome.problems)")
    #expect(Self.names(outcome.removed).count == 7 && outcome.inUse.isEmpty)
    let removedBytes = inventory.totals(.unreferenced).bytes + 10 + 10 + 10 + 10 + 1000
    #expect(outcome.freedBytes == removedBytes)
    let after = try CacheInventory.scan(root: tree.root)
    #expect(after.entries.map(\.fingerprint).sorted() == [Tree.live, Tree.linked])
    #expect(tree.names("tmp") == ["\(Tree.old)-\(getpid())-2", "junk2"], "the trash is emptied too")
    #expect(tree.names("work") == [CacheTree.fingerprint("ff")])
    #expect(tree.names("corrupt").isEmpty && tree.names("replaced").isEmpty && tree.names("datasets") == ["hashes"])
    #expect(after.totalBytes == inventory.totalBytes - removedBytes)
    // The run folders still reach their entries.
    #expect(tree.exists(tree.root + "/r1/stages/knn/data.bin") && tree.exists(tree.root + "/r1/stages/data/data.bin"))
    // Nothing left to do.
    #expect(try CacheCollector(policy: .init(now: tree.now)).collect(root: tree.root, dryRun: false).removed.isEmpty)
  }

  /// A running siam holds the entries it reuses and the work folder it writes: gc leaves
  /// them, and says so.
  @Test func whatALeaseHoldsIsKept() throws {
    let tree = try Tree.makeTree()
    defer { tree.remove() }
    let lease = CacheLease()
    let entry = tree.cache + "/dd/" + Tree.recent
    let work = tree.cache + "/work/" + CacheTree.fingerprint("ee")
    #expect(lease.hold(entry) && lease.hold(work) && lease.isHolding(entry))
    for dryRun in [true, false] {
      let outcome = try CacheCollector(policy: .init(now: tree.now)).collect(root: tree.root, dryRun: dryRun)
      #expect(Self.names(outcome.inUse) == ["entry \(Tree.recent)", "work \(CacheTree.fingerprint("ee"))"])
      #expect(outcome.inUse.allSatisfy { $0.reason == "held by a running siam" })
      #expect(!outcome.removed.contains { $0.name == Tree.recent })
    }
    #expect(tree.exists(entry + "/manifest.json") && tree.exists(work + "/file"))
    #expect(!tree.exists(tree.cache + "/cc/" + Tree.old))
    // Released (as at the end of a run, or when its process dies), it goes.
    lease.release()
    let outcome = try CacheCollector(policy: .init(now: tree.now)).collect(root: tree.root, dryRun: false)
    #expect(Self.names(outcome.removed) == ["entry \(Tree.recent)", "work \(CacheTree.fingerprint("ee"))"])
    // A lease cannot hold what is gone.
    #expect(!CacheLease().hold(entry))
  }

  // MARK: - With the runner

  /// gc in the middle of a pretraining (from the epoch hook): the run's work folder and its
  /// temporary entry stay, and the run finishes and is reused as usual.
  @Test func collectingDuringARunLeavesItsFoldersAlone() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    final class Outcomes: Sendable { let list = Mutex<[CacheCollector.Outcome]>([]) }
    let outcomes = Outcomes()
    let root = fixture.root
    let result = try fixture.run {
      $0.hooks.afterPretrainEpoch = { _, epochs in
        guard epochs == 1 else { return }
        let outcome = try CacheCollector(policy: .init(safetyMargin: 0)).collect(root: root, dryRun: false)
        outcomes.list.withLock { $0.append(outcome) }
      }
    }
    #expect(result.succeeded, "\(result.stages)")
    let outcome = try #require(outcomes.list.withLock { $0.first })
    let pretrain = result["pretrain"]!.fingerprint
    #expect(outcome.removed.isEmpty, "\(outcome.removed)")
    #expect(outcome.inUse.map(\.name) == [pretrain] && outcome.inUse.first?.what == .work)
    #expect(try fixture.run().stages(.cached).count == 5)
  }

  /// A cache hit marks its entry's folder as used now (`last used` of `siam cache ls`).
  @Test func aCacheHitMarksTheEntryAsUsed() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let entry = try #require(first["data"]!.entryDirectory)
    let past = Date(timeIntervalSinceNow: -30 * Self.day)
    try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: entry)
    func lastUsed() throws -> Date? {
      try CacheInventory.scan(root: fixture.root).entries.first { $0.path == entry }?.lastUsed
    }
    #expect(abs(try #require(try lastUsed()).timeIntervalSince(past)) < 1)
    _ = try fixture.runner().plan(try fixture.spec())  // planning alone is no use
    #expect(abs(try #require(try lastUsed()).timeIntervalSince(past)) < 1)
    #expect(try fixture.run().stages(.cached).count == 5)
    let used = try #require(try lastUsed())
    #expect(abs(used.timeIntervalSinceNow) < 600)
  }
}
