import ArgumentParser
import Foundation
import SiamPipeline

/// `siam cache gc`.
struct CacheCollectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gc",
    abstract: "Remove what the cache holds that nothing needs, and print what went and the bytes freed.",
    discussion: HelpText.reflowed(
      """
      Removed: entries that no stage record names and no run folder links to; every folder
      in corrupt/ and replaced/; tmp/ folders whose process is gone (one whose name names
      no process after 1 h untouched); with --include-work, also work/ folders (the
      checkpoints an interrupted pretraining resumes from) once untouched for 1 h. With
      --older-than, only what was not used or modified for that long. Never removed: live
      and linked entries, the dataset hashes (datasets/), and whatever a running siam
      holds: gc is safe while runs are going (docs/caching.md). The run store and the run
      folders lose nothing.

      To free the entries of old runs, remove their run folders (runs/<id>/) first: their
      records stay in the store (siam show), only their artifacts go.

      Examples:
        siam cache gc --dry-run
        siam cache gc
        siam cache gc --older-than 7d --include-work
        siam cache gc --runs /data/runs --older-than 12h --format json
      """)
  )

  @OptionGroup var options: CacheOptions

  @Flag(name: .long, help: "Only print what would be removed.")
  var dryRun = false

  @Option(
    name: .customLong("older-than"),
    help: ArgumentHelp(
      "Only remove what was not used or modified for this long: a number and a unit (s, m, h, d, w), "
        + "e.g. 30m, 12h, 7d, 1h30m.",
      valueName: "duration"))
  var olderThan: String?

  @Flag(
    name: .customLong("include-work"),
    help: "Also remove work/ folders untouched for 1 h: the checkpoints an interrupted pretraining resumes from.")
  var includeWork = false

  func validate() throws {
    if let olderThan, DurationArgument.seconds(olderThan) == nil {
      throw ValidationError(
        "--older-than: cannot read '\(olderThan)' as a duration; write a number and a unit, "
          + "e.g. 30m, 12h, 7d or 1h30m (units s, m, h, d, w)")
    }
  }

  func run() throws {
    let policy = CacheCollector.Policy(olderThan: olderThan.flatMap(DurationArgument.seconds), keepsWork: !includeWork)
    let outcome = try options.reporting { () throws(RunError) in
      try CacheCollector(policy: policy).collect(root: options.root, dryRun: dryRun)
    }
    let isTable = options.format == .table
    let removed = itemTable(outcome.removed, title: dryRun && isTable ? "would remove" : "removed")
    let inUse = itemTable(outcome.inUse, title: isTable ? "kept (in use)" : "in_use")
    if isTable {
      options.print([removed] + (outcome.inUse.isEmpty ? [] : [inUse]))
      for line in Self.summary(outcome) { print(line) }
    } else {
      options.print([removed, inUse, totalsTable(outcome)])
    }
    for problem in outcome.problems { Console.error("error: \(problem)") }
    if !outcome.problems.isEmpty { throw ExitCode(1) }
  }

  func itemTable(_ items: [CacheCollector.Item], title: String) -> OutputTable {
    OutputTable(
      title: title, columns: ["what", "name", "kind", "stage", options.bytesColumn, "reason"],
      rows: items.map { item in
        [
          .text(item.what.rawValue), item.what == .entry ? options.fingerprint(item.name) : .text(item.name),
          OutputCell(item.kind), OutputCell(item.stage), options.bytes(item.bytes), .text(item.reason),
        ]
      })
  }

  func totalsTable(_ outcome: CacheCollector.Outcome) -> OutputTable {
    let rows: [(String, CacheInventory.Totals)] = [
      (outcome.isDryRun ? "would free" : "freed", .init(count: outcome.removed.count, bytes: outcome.freedBytes)),
      ("in use", .init(count: outcome.inUse.count, bytes: outcome.inUse.reduce(0) { $0 + $1.bytes })),
      ("live", outcome.live), ("linked", outcome.linked), ("too recent", outcome.recent),
    ]
    return OutputTable(
      title: "totals", columns: ["category", "count", options.bytesColumn],
      rows: rows.map { [.text($0.0), .integer(Int64($0.1.count)), options.bytes($0.1.bytes)] })
  }

  /// What was freed (or would be), what was kept and why, and the next command.
  static func summary(_ outcome: CacheCollector.Outcome) -> [String] {
    var counts: [String] = []
    for what in CacheCollector.Item.What.allCases {
      let count = outcome.removed.filter { $0.what == what }.count
      guard count > 0 else { continue }
      counts.append(what == .entry ? "\(count) \(count == 1 ? "entry" : "entries")" : "\(count) \(what.rawValue)")
    }
    let freed = ByteCount.text(outcome.freedBytes)
    let what = counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))"
    var lines = [
      outcome.isDryRun ? "Would free \(freed)\(what); nothing was removed (--dry-run)." : "Freed \(freed)\(what)."
    ]
    func part(_ totals: CacheInventory.Totals, _ text: String) -> String? {
      totals.count == 0 ? nil : "\(totals.count) \(text) (\(ByteCount.text(totals.bytes)))"
    }
    let kept = [
      part(outcome.live, outcome.live.count == 1 ? "live entry" : "live entries"),
      part(outcome.linked, (outcome.linked.count == 1 ? "entry" : "entries") + " linked by run folders"),
      part(outcome.recent, "too recent for --older-than or the 1 h margin"),
      outcome.inUse.isEmpty ? nil : "\(outcome.inUse.count) in use",
    ].compactMap { $0 }
    if !kept.isEmpty { lines.append("Kept " + kept.joined(separator: ", ") + ".") }
    if outcome.linked.count > 0 {
      lines.append("Entries linked by run folders go once those folders (runs/<id>/) are removed.")
    }
    lines.append(outcome.isDryRun && !outcome.removed.isEmpty ? "Next: siam cache gc" : "Next: siam cache ls")
    return lines
  }
}

/// `--older-than`: one or more number-and-unit pairs (`30m`, `12h`, `7d`, `1h30m`, `1.5d`).
enum DurationArgument {
  static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]

  /// The seconds `text` names, or nil when it is not a duration.
  static func seconds(_ text: String) -> TimeInterval? {
    var total = 0.0
    var number = ""
    var pairs = 0
    for character in text {
      if character.isASCII, character.isNumber || character == "." {
        number.append(character)
      } else if let unit = units[character], let value = Double(number), value.isFinite {
        total += value * unit
        number = ""
        pairs += 1
      } else {
        return nil
      }
    }
    return number.isEmpty && pairs > 0 ? total : nil
  }
}
