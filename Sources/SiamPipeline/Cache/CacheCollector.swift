import Foundation
import SiamStore

/// `siam cache gc`: decides what under `<root>/cache/` is safe to remove and removes it.
///
/// Removed (each subject to `Policy.olderThan`):
/// - entries that no stage record names and no run folder links to (`unreferenced`),
/// - every folder in `corrupt/` and `replaced/`,
/// - `tmp/` folders of processes that are gone (a name without a process id: once
///   untouched for `Policy.safetyMargin`),
/// - `work/` folders (unless `Policy.keepsWork`) untouched for `Policy.safetyMargin`.
///
/// Never removed: live and linked entries, `datasets/`, and any entry or work folder a
/// running `siam` holds (`CacheLease`). An entry or work folder is removed only under an
/// exclusive lock, taken without waiting; entries are checked once more against the
/// stage records and run folders under that lock, then renamed into `tmp/` and deleted
/// there, so that no half-deleted folder is ever left where a run would look for it.
/// See docs/caching.md, "Collecting garbage".
public struct CacheCollector: Sendable {
  /// What may go.
  public struct Policy: Sendable, Hashable {
    /// Only what has not been used or modified for this many seconds; nil: any age.
    public var olderThan: TimeInterval?
    /// Keep `work/` folders (the checkpoints an interrupted pretraining resumes from).
    public var keepsWork: Bool
    /// Work folders, and `tmp/` folders whose name names no process, are removed only
    /// once untouched for this many seconds (a run of an older `siam` does not lock them).
    public var safetyMargin: TimeInterval
    /// The time ages are measured from.
    public var now: Date

    public init(
      olderThan: TimeInterval? = nil, keepsWork: Bool = false, safetyMargin: TimeInterval = 3600, now: Date = Date()
    ) {
      self.olderThan = olderThan
      self.keepsWork = keepsWork
      self.safetyMargin = safetyMargin
      self.now = now
    }
  }

  /// A folder to remove (or that was kept).
  public struct Item: Sendable, Hashable {
    /// What a removed folder was.
    public enum What: String, Sendable, Hashable, CaseIterable {
      case entry, tmp, work, corrupt, replaced

      init(_ category: CacheInventory.Category) {
        switch category {
        case .tmp: self = .tmp
        case .work: self = .work
        case .corrupt: self = .corrupt
        case .replaced: self = .replaced
        }
      }

      /// Removed only under an exclusive lock (what a run holds).
      var isLocked: Bool { self == .entry || self == .work }
    }

    public var what: What
    /// The fingerprint of an entry, the folder's name otherwise.
    public var name: String
    public var path: String
    public var bytes: Int
    /// The entry's stage kind, when known.
    public var kind: String?
    /// The stage that produced the entry, when known.
    public var stage: String?
    /// Why it goes, or why it stayed.
    public var reason: String
  }

  /// The decision, before any lock is taken.
  public struct Plan: Sendable {
    /// What goes, entries first.
    public var removals: [Item]
    /// Entries kept because a stage record names them.
    public var live: CacheInventory.Totals
    /// Entries kept because run folders link to them.
    public var linked: CacheInventory.Totals
    /// Removable by kind but too recent (`olderThan`, `safetyMargin`).
    public var recent: CacheInventory.Totals
  }

  /// What a collection did (or, in a dry run, would do).
  public struct Outcome: Sendable {
    public var isDryRun: Bool
    /// Removed (dry run: would be removed).
    public var removed: [Item]
    /// Candidates left alone: held by a running `siam`, or referenced since the scan.
    public var inUse: [Item]
    /// Folders that could not be deleted, with the reason.
    public var problems: [String]
    public var live: CacheInventory.Totals
    public var linked: CacheInventory.Totals
    public var recent: CacheInventory.Totals

    public var freedBytes: Int { removed.reduce(0) { $0 + $1.bytes } }
  }

  public var policy: Policy

  public init(policy: Policy = Policy()) {
    self.policy = policy
  }

  /// What `inventory` holds that may go under the policy: a pure function of the
  /// inventory, the policy and which processes are alive (for `tmp/` folders).
  public func plan(_ inventory: CacheInventory) -> Plan {
    var plan = Plan(removals: [], live: inventory.totals(.live), linked: inventory.totals(.linked), recent: .init())
    let minimumAge = policy.olderThan ?? 0
    func age(_ date: Date) -> TimeInterval { policy.now.timeIntervalSince(date) }
    for entry in inventory.entries where entry.state == .unreferenced {
      guard age(entry.lastUsed) >= minimumAge else {
        plan.recent.add(entry.bytes)
        continue
      }
      plan.removals.append(
        Item(
          what: .entry, name: entry.fingerprint, path: entry.path, bytes: entry.bytes, kind: entry.manifest?.kind,
          stage: entry.manifest?.stage,
          reason: "no stage record or run folder refers to it; last used \(Self.ageText(age(entry.lastUsed))) ago"))
    }
    for folder in inventory.folders {
      var reason: String
      var needed = minimumAge
      switch folder.category {
      case .corrupt:
        reason = "failed verification"
      case .replaced:
        reason = "left over from replacing an entry"
      case .work:
        if policy.keepsWork { continue }
        reason = "checkpoints of an unfinished stage"
        needed = max(needed, policy.safetyMargin)
      case .tmp:
        if let pid = Self.ownerProcess(folder.name) {
          if pid == ProcessLiveness.currentPID || ProcessLiveness.isAlive(pid: pid) { continue }
          reason = "left by process \(pid), which is gone"
        } else {
          reason = "names no process"
          needed = max(needed, policy.safetyMargin)
        }
      }
      guard age(folder.modified) >= needed else {
        plan.recent.add(folder.bytes)
        continue
      }
      reason += "; untouched for \(Self.ageText(age(folder.modified)))"
      plan.removals.append(
        Item(
          what: Item.What(folder.category), name: folder.name, path: folder.path, bytes: folder.bytes, reason: reason))
    }
    return plan
  }

  /// Scans `root`, plans, and removes what the plan names (nothing with `dryRun`, which
  /// still reports what a running `siam` holds).
  ///
  /// - Throws: `RunError` when `root` is not a folder or `cache/tmp` cannot be created.
  public func collect(root: String, dryRun: Bool) throws(RunError) -> Outcome {
    let inventory = try CacheInventory.scan(root: root)
    let plan = plan(inventory)
    var outcome = Outcome(
      isDryRun: dryRun, removed: [], inUse: [], problems: [], live: plan.live, linked: plan.linked, recent: plan.recent)
    let locked = plan.removals.filter(\.what.isLocked)
    let unlocked = plan.removals.filter { !$0.what.isLocked }
    let trash = inventory.directory + "/tmp"
    if !dryRun && !plan.removals.isEmpty {
      do {
        try FileDigest.createDirectory(trash)
      } catch {
        throw (error as? RunError) ?? RunError(.cache, "cannot create the folder \(trash)", cause: error)
      }
    }
    // Entries and work folders in batches (each lock is an open descriptor).
    for start in stride(from: 0, to: locked.count, by: 128) {
      var held: [(Item, Int32)] = []
      for item in locked[start..<min(start + 128, locked.count)] {
        switch FolderLock.tryExclusive(item.path) {
        case .busy:
          outcome.inUse.append(with(item, reason: "held by a running siam"))
        case .missing:
          continue
        case .locked(let descriptor):
          if dryRun {
            close(descriptor)
            outcome.removed.append(item)
          } else {
            held.append((item, descriptor))
          }
        }
      }
      guard !held.isEmpty else { continue }
      // Under the locks no run can start using these; one may have recorded or linked an
      // entry since the scan, so look again.
      let references = CacheReferences.scan(root: root)
      for (item, descriptor) in held {
        defer { close(descriptor) }
        if item.what == .entry && references.isReferenced(item.name) {
          outcome.inUse.append(with(item, reason: "referenced since the scan"))
          continue
        }
        remove(item, into: trash, outcome: &outcome)
      }
    }
    for item in unlocked {
      if dryRun {
        outcome.removed.append(item)
      } else {
        remove(item, into: trash, outcome: &outcome)
      }
    }
    return outcome
  }

  /// Renames `item` into `trash` (atomically: an entry is there or gone, never half
  /// deleted), then deletes it. A folder already gone (removed by someone else) is
  /// skipped; a delete that fails leaves the rest in `trash`, named after this process,
  /// for the next run or collection.
  private func remove(_ item: Item, into trash: String, outcome: inout Outcome) {
    let target = trash + "/gc\(UInt32.random(in: 0...UInt32.max))-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard Foundation.rename(item.path, target) == 0 else {
      if errno != ENOENT {
        outcome.problems.append("cannot move \(item.path) aside: \(String(cString: strerror(errno)))")
      }
      return
    }
    outcome.removed.append(item)
    do {
      try FileManager.default.removeItem(atPath: target)
    } catch {
      outcome.problems.append("cannot delete \(target) (\(item.path)): \(error.localizedDescription)")
    }
  }

  private func with(_ item: Item, reason: String) -> Item {
    var item = item
    item.reason = reason
    return item
  }

  /// The process id in a `tmp/` folder's name (`<fp>-<pid>-<random>`), if any.
  static func ownerProcess(_ name: String) -> Int? {
    let parts = name.split(separator: "-")
    guard parts.count == 3, let pid = Int(parts[1]), pid > 0 else { return nil }
    return pid
  }

  /// `90 s`, `12 min`, `5 h`, `3 d`.
  static func ageText(_ seconds: TimeInterval) -> String {
    let seconds = max(seconds, 0)
    if seconds < 120 { return "\(Int(seconds)) s" }
    if seconds < 7200 { return "\(Int(seconds / 60)) min" }
    if seconds < 172_800 { return "\(Int(seconds / 3600)) h" }
    return "\(Int(seconds / 86400)) d"
  }
}
