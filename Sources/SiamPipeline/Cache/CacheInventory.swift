import Foundation

/// Everything under a runs folder's cache, `<root>/cache/`: the entries with what refers
/// to them, and the other folders (`tmp/`, `work/`, `corrupt/`, `replaced/`,
/// `datasets/`). What `siam cache ls` prints and `siam cache gc` starts from.
///
/// Scanning reads each entry's `manifest.json` and the sizes of its files; it does not
/// verify SHA-256s (`siam plan` does that for the entries it needs).
public struct CacheInventory: Sendable {
  /// Why an entry is kept, or that nothing keeps it.
  public enum State: String, Sendable, Hashable, CaseIterable {
    /// A stage record names it: the latest result of some stage, reused by the next run.
    case live
    /// Only run folders link to it (their `stages/<name>`).
    case linked
    /// Nothing refers to it.
    case unreferenced
  }

  /// One entry, `cache/<fp[0:2]>/<fp>/`.
  public struct Entry: Sendable, Hashable {
    public var fingerprint: String
    public var path: String
    /// Nil when `manifest.json` is missing or unreadable (the next run that plans the
    /// fingerprint moves such an entry to `corrupt/`).
    public var manifest: CacheManifest?
    /// The bytes of all its files, manifest included.
    public var bytes: Int
    /// The modification time of the entry's folder: when a run last wrote it or reused
    /// it as a cache hit (runs mark each reuse).
    public var lastUsed: Date
    /// `pipeline/stage` of the stage records that name it.
    public var records: [String]
    /// The run folders that link to it.
    public var runs: [String]

    public var state: State { !records.isEmpty ? .live : runs.isEmpty ? .unreferenced : .linked }

    /// When the entry was written (its manifest's `created`).
    public var created: Date? { manifest.flatMap { CacheInventory.date($0.created) } }
  }

  /// The folders of the cache besides entries.
  public enum Category: String, Sendable, Hashable, CaseIterable {
    /// `tmp/<fp>-<pid>-<random>/`: an entry being written (or removed) by process `pid`.
    case tmp
    /// `work/<fp>/`: checkpoints of an unfinished pretraining, to resume from.
    case work
    /// `corrupt/<fp>-<time>-<n>/`: entries that failed verification, kept for inspection.
    case corrupt
    /// `replaced/<fp>-<time>-<n>/`: an entry being replaced (normally removed at once).
    case replaced
  }

  /// One folder of a `Category`.
  public struct Folder: Sendable, Hashable {
    public var category: Category
    public var name: String
    public var path: String
    public var bytes: Int
    /// The newest modification time of the folder and everything in it.
    public var modified: Date
  }

  /// A count and its bytes.
  public struct Totals: Sendable, Hashable {
    public var count = 0
    public var bytes = 0

    public init(count: Int = 0, bytes: Int = 0) {
      self.count = count
      self.bytes = bytes
    }

    mutating func add(_ bytes: Int) {
      count += 1
      self.bytes += bytes
    }
  }

  /// The runs folder.
  public var root: String
  /// `<root>/cache`.
  public var directory: String
  /// Newest first (by `created`, then by fingerprint).
  public var entries: [Entry]
  /// By category, then name.
  public var folders: [Folder]
  /// The dataset content hashes remembered in `datasets/` (never collected).
  public var datasetHashes: Totals

  /// The entries in `state`.
  public func totals(_ state: State) -> Totals {
    entries.filter { $0.state == state }.reduce(into: Totals()) { $0.add($1.bytes) }
  }

  /// The folders of `category`.
  public func totals(_ category: Category) -> Totals {
    folders.filter { $0.category == category }.reduce(into: Totals()) { $0.add($1.bytes) }
  }

  /// All entries.
  public var entryTotals: Totals { entries.reduce(into: Totals()) { $0.add($1.bytes) } }

  /// Everything under the cache folder.
  public var totalBytes: Int {
    entryTotals.bytes + folders.reduce(0) { $0 + $1.bytes } + datasetHashes.bytes
  }

  /// Scans `root/cache/` and the references to its entries (`CacheReferences.scan`).
  ///
  /// - Parameter root: The runs folder (`runs`, or `--runs DIR`).
  /// - Throws: `RunError` (`.cache`) when `root` is not a folder. A runs folder without a
  ///   cache gives an empty inventory.
  /// - Complexity: Reads every entry's manifest and lists every file under the cache.
  public static func scan(root: String) throws(RunError) -> CacheInventory {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory) else {
      throw RunError(.cache, "there is no folder \(root) (give the runs folder with --runs DIR)")
    }
    guard isDirectory.boolValue else {
      throw RunError(.cache, "\(root) is not a folder (give the runs folder with --runs DIR)")
    }
    let directory = root + "/cache"
    let references = CacheReferences.scan(root: root)
    var entries: [Entry] = []
    for shard in listing(directory) where shard.count == 2 && shard.allSatisfy(\.isHexDigit) {
      for name in listing(directory + "/" + shard) where isFingerprint(name) && name.hasPrefix(shard) {
        let path = directory + "/" + shard + "/" + name
        let usage = DiskUsage.measure(path)
        let manifest = FileManager.default.contents(atPath: path + "/manifest.json").flatMap {
          try? CacheManifest.decoded(from: $0)
        }
        entries.append(
          Entry(
            fingerprint: name, path: path, manifest: manifest, bytes: usage.bytes, lastUsed: usage.modified,
            records: references.records[name] ?? [], runs: references.runs[name] ?? []))
      }
    }
    entries.sort { a, b in
      let (x, y) = (a.created ?? .distantPast, b.created ?? .distantPast)
      return x != y ? x > y : a.fingerprint < b.fingerprint
    }
    var folders: [Folder] = []
    for category in Category.allCases {
      let parent = directory + "/" + category.rawValue
      for name in listing(parent) {
        let usage = DiskUsage.measure(parent + "/" + name)
        folders.append(
          Folder(category: category, name: name, path: parent + "/" + name, bytes: usage.bytes, modified: usage.newest))
      }
    }
    var hashes = Totals()
    for name in listing(directory + "/datasets") {
      hashes.add(DiskUsage.measure(directory + "/datasets/" + name).bytes)
    }
    return CacheInventory(root: root, directory: directory, entries: entries, folders: folders, datasetHashes: hashes)
  }

  /// Whether `name` is a fingerprint: 64 lower-case hex digits.
  static func isFingerprint(_ name: String) -> Bool {
    name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
  }

  /// The names in `folder`, sorted (none when it is missing).
  static func listing(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
  }

  /// An ISO 8601 time as the cache writes it (`2026-11-29T04:17:02Z`).
  static func date(_ text: String) -> Date? {
    ISO8601DateFormatter().date(from: text)
  }
}

/// The size and times of a file or folder tree (symbolic links are not followed).
enum DiskUsage {
  /// - Returns: The bytes of its regular files, the modification time of `path` itself,
  ///   and the newest modification time in the tree.
  static func measure(_ path: String) -> (bytes: Int, modified: Date, newest: Date) {
    let manager = FileManager.default
    guard let attributes = try? manager.attributesOfItem(atPath: path) else { return (0, .distantPast, .distantPast) }
    let modified = attributes[.modificationDate] as? Date ?? .distantPast
    var bytes = 0
    var newest = modified
    func add(_ attributes: [FileAttributeKey: Any]) {
      if attributes[.type] as? FileAttributeType == .typeRegular {
        bytes += (attributes[.size] as? NSNumber)?.intValue ?? 0
      }
      if let date = attributes[.modificationDate] as? Date, date > newest { newest = date }
    }
    add(attributes)
    if attributes[.type] as? FileAttributeType == .typeDirectory, let enumerator = manager.enumerator(atPath: path) {
      while let relative = enumerator.nextObject() as? String {
        if let attributes = try? manager.attributesOfItem(atPath: path + "/" + relative) { add(attributes) }
      }
    }
    return (bytes, modified, newest)
  }
}
