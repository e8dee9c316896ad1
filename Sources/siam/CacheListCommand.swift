import ArgumentParser
import Foundation
import SiamPipeline

/// `siam cache ls`.
struct CacheListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ls",
    abstract: "List the cache's entries: kind, producing stage, state, size, times; then totals.",
    discussion: HelpText.reflowed(
      """
      One row per entry, newest first. stage: pipeline/stage of the stage records naming
      a live entry, else the stage name in its manifest. state: live (a stage record names
      it), linked (only run folders link to it; runs counts them) or unreferenced. last
      used: when a run last wrote or reused it. Then the totals of entries by state and of
      the other folders: work (checkpoints to resume from), tmp (entries being written,
      or left by killed runs), corrupt, replaced, and the dataset hashes. Entries are not
      verified here (siam plan verifies those it needs).

      Examples:
        siam cache ls
        siam cache ls --runs /data/runs --format csv
        siam cache ls --format json
      """)
  )

  @OptionGroup var options: CacheOptions

  func run() throws {
    let inventory = try options.reporting { () throws(RunError) in try CacheInventory.scan(root: options.root) }
    let entries = Self.entryTable(inventory, options: options)
    if options.format == .table {
      options.print([entries])
      print(Self.summary(inventory))
      let unreferenced = inventory.totals(.unreferenced).count
      print(unreferenced > 0 || !inventory.folders.isEmpty ? "Next: siam cache gc --dry-run" : "Next: siam runs")
    } else {
      var totals = Self.totalsTable(inventory, options: options)
      totals.title = "totals"
      var titled = entries
      titled.title = "entries"
      options.print([titled, totals])
    }
  }

  static func entryTable(_ inventory: CacheInventory, options: CacheOptions) -> OutputTable {
    let rows = inventory.entries.map { entry -> [OutputCell] in
      let stage = entry.records.isEmpty ? entry.manifest?.stage : entry.records.joined(separator: ", ")
      return [
        options.fingerprint(entry.fingerprint), OutputCell(entry.manifest?.kind), OutputCell(stage),
        .text(entry.state.rawValue), .integer(Int64(entry.runs.count)), options.bytes(entry.bytes),
        OutputCell(entry.manifest?.created), .text(timestamp(entry.lastUsed)),
      ]
    }
    return OutputTable(
      columns: ["fingerprint", "kind", "stage", "state", "runs", options.bytesColumn, "created", "last used"],
      rows: rows)
  }

  /// Count and bytes per category: entries (all, live, linked, unreferenced), the other
  /// folders, the dataset hashes, and everything.
  static func totalsTable(_ inventory: CacheInventory, options: CacheOptions) -> OutputTable {
    var rows: [(String, CacheInventory.Totals)] = [("entries", inventory.entryTotals)]
    rows += CacheInventory.State.allCases.map { ($0.rawValue, inventory.totals($0)) }
    rows += CacheInventory.Category.allCases.map { ($0.rawValue, inventory.totals($0)) }
    rows.append(("datasets", inventory.datasetHashes))
    rows.append(("total", .init(count: inventory.entries.count + inventory.folders.count, bytes: inventory.totalBytes)))
    return OutputTable(
      columns: ["category", "count", options.bytesColumn],
      rows: rows.map { [.text($0.0), .integer(Int64($0.1.count)), options.bytes($0.1.bytes)] })
  }

  /// `5 entries (1.2 MiB): 3 live (…), 2 linked (…), 0 unreferenced (0 B); work 1 (…), …`.
  static func summary(_ inventory: CacheInventory) -> String {
    func part(_ name: String, _ totals: CacheInventory.Totals) -> String {
      "\(totals.count) \(name) (\(ByteCount.text(totals.bytes)))"
    }
    let states = CacheInventory.State.allCases.map { part($0.rawValue, inventory.totals($0)) }
    let folders = CacheInventory.Category.allCases.map { part($0.rawValue, inventory.totals($0)) }
    return part(inventory.entries.count == 1 ? "entry" : "entries", inventory.entryTotals) + ": "
      + states.joined(separator: ", ") + "; " + folders.joined(separator: ", ") + ", "
      + part("dataset hashes", inventory.datasetHashes) + ". Total \(ByteCount.text(inventory.totalBytes)) in "
      + inventory.directory + "."
  }

  /// ISO 8601, UTC, to the second (`2026-11-29T04:17:02Z`).
  static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }
}
