import Foundation

/// What keeps a cache entry: the stage records (`runs/stages/<pipeline>/<stage>.json`,
/// the latest fingerprint of each stage name) and the run folders whose
/// `stages/<name>` links point to it (`siam report` and `siam rerun --verify` read
/// artifacts through those links).
public struct CacheReferences: Sendable, Hashable {
  /// Fingerprint → `pipeline/stage` of every stage record that names it, sorted.
  public var records: [String: [String]]
  /// Fingerprint → the ids of the run folders that link to its entry, sorted.
  public var runs: [String: [String]]

  public init(records: [String: [String]] = [:], runs: [String: [String]] = [:]) {
    self.records = records
    self.runs = runs
  }

  /// Whether anything refers to the entry of `fingerprint`.
  public func isReferenced(_ fingerprint: String) -> Bool {
    records[fingerprint] != nil || runs[fingerprint] != nil
  }

  /// Folders directly under a runs folder that are not run folders.
  static let reservedNames: Set<String> = ["cache", "stages", "sweeps"]

  /// Reads the stage records under `root/stages/` and the links of the run folders
  /// `root/<id>/stages/<name>` that resolve into `root/cache/`.
  ///
  /// Unreadable records and dangling links are skipped: they keep nothing.
  ///
  /// - Complexity: One small JSON file per stage record and one `realpath` per stage of
  ///   every run folder.
  public static func scan(root: String) -> CacheReferences {
    var references = CacheReferences()
    let manager = FileManager.default
    let recordsFolder = root + "/stages"
    if let enumerator = manager.enumerator(atPath: recordsFolder) {
      let decoder = JSONDecoder()
      while let relative = enumerator.nextObject() as? String {
        guard relative.hasSuffix(".json"), relative.contains("/"),
          let data = manager.contents(atPath: recordsFolder + "/" + relative),
          let record = try? decoder.decode(StageRecord.self, from: data)
        else { continue }
        references.records[record.fingerprint, default: []].append(String(relative.dropLast(".json".count)))
      }
    }
    if let cache = realPath(root + "/cache") {
      let children = ((try? manager.contentsOfDirectory(atPath: root)) ?? []).filter { !reservedNames.contains($0) }
      for run in children {
        let stages = root + "/" + run + "/stages"
        let links = run.hasPrefix(".") ? [] : (try? manager.contentsOfDirectory(atPath: stages)) ?? []
        for name in links {
          guard let target = realPath(stages + "/" + name), target.hasPrefix(cache + "/") else { continue }
          let parts = target.dropFirst(cache.count + 1).split(separator: "/")
          guard parts.count == 2, parts[1].hasPrefix(parts[0]) else { continue }
          let fingerprint = String(parts[1])
          if references.runs[fingerprint]?.last != run { references.runs[fingerprint, default: []].append(run) }
        }
      }
    }
    for key in references.records.keys { references.records[key]!.sort() }
    for key in references.runs.keys { references.runs[key]!.sort() }
    return references
  }

  /// `path` with every symbolic link and `..` resolved, or nil when it does not exist.
  static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }
}
