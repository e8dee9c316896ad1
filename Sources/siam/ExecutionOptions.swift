import ArgumentParser
import Foundation

/// `--log-format`: how progress is written to stderr.
enum LogFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
  /// Lines for people: a bar drawn in place on a terminal, periodic lines otherwise.
  case text
  /// One JSON object per line and event, for programs.
  case json
}

/// How progress shows on stderr: `--quiet`, `--log-format`, `--color`.
struct ProgressOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "No progress: only errors and the final summary.")
  var quiet = false

  @Option(
    name: .customLong("log-format"),
    help: "Progress on stderr: text (a bar on a terminal, periodic lines otherwise) or json (one object per event).")
  var logFormat: LogFormat = .text

  @Option(
    name: .long, help: "Colour status words and errors: auto (terminals, unless NO_COLOR is set), always or never.")
  var color: ColorChoice = .auto
}

/// Options of the commands that execute stages (`run`, `sweep`, `rerun`): threads,
/// progress, the run store and the JSON result.
struct ExecutionOptions: ParsableArguments {
  @OptionGroup var engine: EngineOptions
  @OptionGroup var progress: ProgressOptions

  @Flag(name: .long, help: "End with one JSON object on stdout (progress stays on stderr).")
  var json = false

  @Option(
    name: .long, help: "The run store (default: $SIAM_STORE, else <runs>/siam.sqlite).",
    completion: .file(extensions: ["sqlite"]))
  var store: String?

  /// The store's path for the runs folder `root`.
  func storePath(runs root: String) -> String { StoreOptions.path(store, runs: root) }

  /// Applies the thread count and the colour of error messages.
  func apply() {
    engine.apply()
    Console.colorChoice = progress.color
  }

  /// The progress display on stderr.
  func makeDisplay() -> ProgressDisplay { ProgressDisplay(options: progress) }
}
