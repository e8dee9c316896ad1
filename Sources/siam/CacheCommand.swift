import ArgumentParser
import Foundation
import SiamPipeline

/// `siam cache ls|gc`: what the artifact cache holds, and removing what nothing needs.
struct CacheCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cache",
    abstract: "List the artifact cache (runs/cache/) and remove what nothing needs.",
    discussion: HelpText.reflowed(
      """
      An entry is live when a stage record (runs/stages/<pipeline>/<stage>.json) names it:
      the next run of that stage reuses it. It is linked when only run folders link to it
      (runs/<id>/stages/<name>): reports and rerun --verify read artifacts through those
      links, so gc keeps it too. Otherwise it is unreferenced, and gc removes it. See
      docs/caching.md.

      Examples:
        siam cache ls
        siam cache gc --dry-run
        siam cache gc --older-than 7d
      """),
    subcommands: [CacheListCommand.self, CacheCollectCommand.self]
  )
}

/// `--runs`, `--format` and `--color` of the cache commands.
struct CacheOptions: ParsableArguments, TableOutputOptions {
  @Option(name: .customLong("runs"), help: "The folder of the cache and the run folders.", completion: .directory)
  var root = "runs"

  @Option(
    name: .long,
    help: "How tables are printed: table (aligned, fitted to the terminal's width), csv, json or markdown (never cut).")
  var format: OutputFormat = .table

  @Option(
    name: .long, help: "Colour status words and errors: auto (terminals, unless NO_COLOR is set), always or never.")
  var color: ColorChoice = .auto

  /// A fingerprint as the table shows it: cut in the middle, like other ids (full in the
  /// other formats).
  func fingerprint(_ text: String) -> OutputCell {
    .text(format == .table ? Ellipsis.middle(text, to: 15) : text)
  }

  /// Bytes: human-readable in the table, a number in the other formats.
  func bytes(_ count: Int) -> OutputCell {
    format == .table ? .text(ByteCount.text(count)) : .integer(Int64(count))
  }

  var bytesColumn: String { format == .table ? "size" : "bytes" }
}
