import Foundation
import SiamPipeline

/// A fake runs folder with a cache tree built by hand: entries (with manifests, a data
/// file and a chosen last-use time), stage records, run folders linking to entries, and
/// `tmp/`, `work/`, `corrupt/`, `replaced/` and `datasets/` folders.
struct CacheTree {
  let root: String
  /// The time the tree's ages are measured from.
  let now = Date(timeIntervalSince1970: 1_800_000_000)

  init() throws {
    root =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try FileManager.default.createDirectory(atPath: root + "/cache", withIntermediateDirectories: true)
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: root)
  }

  var cache: String { root + "/cache" }

  /// A fingerprint made of one repeated hex digit pair (`"ab"` → `abab…`).
  static func fingerprint(_ pair: String) -> String { String(repeating: pair, count: 32) }

  /// An entry of `bytes` data bytes whose folder was last modified `age` seconds before `now`.
  @discardableResult
  func entry(
    _ fingerprint: String, kind: String = "pretrain", stage: String = "pretrain", bytes: Int = 100, age: TimeInterval
  ) throws -> String {
    let path = cache + "/" + fingerprint.prefix(2) + "/" + fingerprint
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: path + "/data.bin"))
    let manifest = """
      {"created": "2027-01-15T08:00:00Z", "engine_version": "test", "files": [], "fingerprint": "\(fingerprint)",
       "kind": "\(kind)", "metrics": {}, "seconds": 1, "stage": "\(stage)"}
      """
    try Data(manifest.utf8).write(to: URL(fileURLWithPath: path + "/manifest.json"))
    try setAge(path, age)
    return path
  }

  /// `stages/<pipeline>/<stage>.json` naming `fingerprint`.
  func record(pipeline: String, stage: String, fingerprint: String) throws {
    let folder = root + "/stages/" + pipeline
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let json = """
      {"engine_version": "test", "fingerprint": "\(fingerprint)", "implementation_version": 1, "inputs": {},
       "kind": "pretrain", "parameters": {}}
      """
    try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/" + stage + ".json"))
  }

  /// Run folder `run` whose `stages/<stage>` links to the entry of `fingerprint` (as
  /// `RunFolder.link` writes it).
  func link(run: String, stage: String, fingerprint: String) throws {
    let folder = root + "/" + run + "/stages"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(
      atPath: folder + "/" + stage, withDestinationPath: "../../cache/" + fingerprint.prefix(2) + "/" + fingerprint)
  }

  /// A folder `cache/<category>/<name>` with one file of `bytes` bytes, `age` seconds old.
  @discardableResult
  func folder(_ category: String, _ name: String, bytes: Int = 10, age: TimeInterval) throws -> String {
    let path = cache + "/" + category + "/" + name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try Data(repeating: 1, count: bytes).write(to: URL(fileURLWithPath: path + "/file"))
    try setAge(path + "/file", age)
    try setAge(path, age)
    return path
  }

  func setAge(_ path: String, _ age: TimeInterval) throws {
    try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: path)
  }

  func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  /// The names in `cache/<folder>`, sorted.
  func names(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/" + folder)) ?? []).sorted()
  }
}
