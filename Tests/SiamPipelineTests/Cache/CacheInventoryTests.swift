import Foundation
import SiamPipeline
import Testing

@Suite struct CacheInventoryTests {
  static let live = CacheTree.fingerprint("aa")
  static let linked = CacheTree.fingerprint("bb")
  static let old = CacheTree.fingerprint("cc")
  static let recent = CacheTree.fingerprint("dd")
  static let day: TimeInterval = 86400

  /// The tree the inventory and collector tests share:
  /// - `aa…` live (a stage record names it; run r1 links it too), 10 days old,
  /// - `bb…` linked (only run r1), 10 days old,
  /// - `cc…` unreferenced, 10 days old, 300 bytes; `dd…` unreferenced, 1 hour old,
  /// - tmp: one of a dead process, one of this process, `junk` (2 h) and `junk2` (1 min),
  /// - work: `ee…` (2 h) and `ff…` (1 min); one corrupt (3 days), one replaced (20 days),
  /// - one dataset hash; run r2 has a dangling link.
  static func makeTree() throws -> CacheTree {
    let tree = try CacheTree()
    try tree.entry(live, kind: "dataset", stage: "data", age: 10 * day)
    try tree.entry(linked, kind: "knn", stage: "knn", age: 10 * day)
    try tree.entry(old, age: 10 * day)
    try tree.entry(recent, bytes: 50, age: 3600)
    try tree.record(pipeline: "tiny", stage: "data", fingerprint: live)
    try tree.link(run: "r1", stage: "data", fingerprint: live)
    try tree.link(run: "r1", stage: "knn", fingerprint: linked)
    try tree.link(run: "r2", stage: "knn", fingerprint: CacheTree.fingerprint("99"))
    try tree.folder("tmp", "\(old)-99999999-1", age: 0)
    try tree.folder("tmp", "\(old)-\(getpid())-2", age: 0)
    try tree.folder("tmp", "junk", age: 7200)
    try tree.folder("tmp", "junk2", age: 60)
    try tree.folder("work", CacheTree.fingerprint("ee"), bytes: 1000, age: 7200)
    try tree.folder("work", CacheTree.fingerprint("ff"), age: 60)
    try tree.folder("corrupt", "\(old)-1700000000-1", age: 3 * day)
    try tree.folder("replaced", "\(old)-1700000000-2", age: 20 * day)
    try tree.folder("datasets", "hashes", age: 0)
    return tree
  }

  @Test func entriesAreClassifiedByWhatRefersToThem() throws {
    let tree = try Self.makeTree()
    defer { tree.remove() }
    let inventory = try CacheInventory.scan(root: tree.root)
    #expect(inventory.entries.count == 4)
    let byFingerprint = Dictionary(uniqueKeysWithValues: inventory.entries.map { ($0.fingerprint, $0) })
    let live = try #require(byFingerprint[Self.live])
    #expect(live.state == .live && live.records == ["tiny/data"] && live.runs == ["r1"])
    #expect(live.manifest?.kind == "dataset" && live.manifest?.stage == "data")
    #expect(byFingerprint[Self.linked]?.state == .linked && byFingerprint[Self.linked]?.runs == ["r1"])
    #expect(byFingerprint[Self.old]?.state == .unreferenced && byFingerprint[Self.recent]?.state == .unreferenced)
    // Sizes: the data file and the manifest; times: the manifest's created, the folder's mtime.
    let old = try #require(byFingerprint[Self.old])
    let manifestBytes = try FileManager.default.attributesOfItem(atPath: old.path + "/manifest.json")[.size] as! Int
    #expect(old.bytes == 100 + manifestBytes)
    #expect(old.created == ISO8601DateFormatter().date(from: "2027-01-15T08:00:00Z"))
    #expect(old.lastUsed == tree.now.addingTimeInterval(-10 * Self.day))
    #expect(inventory.totals(.live).count == 1 && inventory.totals(.linked).count == 1)
    #expect(inventory.totals(.unreferenced) == .init(count: 2, bytes: old.bytes + byFingerprint[Self.recent]!.bytes))
  }

  @Test func otherFoldersAreCountedByCategory() throws {
    let tree = try Self.makeTree()
    defer { tree.remove() }
    let inventory = try CacheInventory.scan(root: tree.root)
    #expect(inventory.totals(.tmp).count == 4 && inventory.totals(.work) == .init(count: 2, bytes: 1010))
    #expect(inventory.totals(.corrupt).count == 1 && inventory.totals(.replaced).count == 1)
    #expect(inventory.datasetHashes == .init(count: 1, bytes: 10))
    let work = try #require(inventory.folders.first { $0.name == CacheTree.fingerprint("ee") })
    #expect(work.modified == tree.now.addingTimeInterval(-7200))
    let everything = inventory.entryTotals.bytes + 4 * 10 + 1010 + 10 + 10 + 10
    #expect(inventory.totalBytes == everything)
  }

  @Test func references() throws {
    let tree = try Self.makeTree()
    defer { tree.remove() }
    let references = CacheReferences.scan(root: tree.root)
    #expect(references.records == [Self.live: ["tiny/data"]])
    // r2's link dangles; the stage records folder is not a run folder.
    #expect(references.runs == [Self.live: ["r1"], Self.linked: ["r1"]])
    #expect(references.isReferenced(Self.linked) && !references.isReferenced(Self.old))
  }

  @Test func aRunsFolderWithoutACacheIsEmpty() throws {
    let tree = try CacheTree()
    defer { tree.remove() }
    try FileManager.default.removeItem(atPath: tree.cache)
    let inventory = try CacheInventory.scan(root: tree.root)
    #expect(inventory.entries.isEmpty && inventory.folders.isEmpty && inventory.totalBytes == 0)
  }

  @Test func aRootThatIsNotAFolderIsAClearError() throws {
    let tree = try CacheTree()
    defer { tree.remove() }
    let file = tree.root + "/file"
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    let notAFolder = #expect(throws: RunError.self) { try CacheInventory.scan(root: file) }
    #expect(notAFolder?.message.contains("is not a folder") == true && notAFolder?.code == .cache)
    let missing = #expect(throws: RunError.self) { try CacheInventory.scan(root: tree.root + "/missing") }
    #expect(missing?.message.contains("there is no folder") == true)
  }
}
