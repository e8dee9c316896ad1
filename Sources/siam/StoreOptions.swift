import ArgumentParser
import Foundation
import SiamStore

/// `--store`, `--format` and `--color`, taken by every command that reads the run store.
struct StoreOptions: ParsableArguments {
  @Option(
    name: .long, help: "The run store (default: $SIAM_STORE, else runs/siam.sqlite).",
    completion: .file(extensions: ["sqlite"]))
  var store: String?

  @Option(
    name: .long,
    help: "How tables are printed: table (aligned, fitted to the terminal's width), csv, json or markdown (never cut).")
  var format: OutputFormat = .table

  @Option(
    name: .long, help: "Colour status words and errors: auto (terminals, unless NO_COLOR is set), always or never.")
  var color: ColorChoice = .auto

  /// `--store`, else `$SIAM_STORE`, else `<runs>/siam.sqlite`.
  static func path(_ option: String?, runs root: String = "runs") -> String {
    if let option { return option }
    if let variable = ProcessInfo.processInfo.environment["SIAM_STORE"], !variable.isEmpty { return variable }
    return RunStore.defaultPath(runs: root)
  }

  var path: String { Self.path(store) }

  /// Opens the existing store (migrated, stale runs repaired), or prints why not and
  /// exits with status 1.
  func open() throws -> RunStore {
    Console.colorChoice = color
    do {
      return try RunStore.open(path: path, mustExist: true)
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
  }

}

extension StoreOptions: TableOutputOptions {}

/// The `--format` and `--color` of a command that prints tables, and what they share.
protocol TableOutputOptions {
  var format: OutputFormat { get }
  var color: ColorChoice { get }
}

extension TableOutputOptions {
  /// Runs `body`, turning its error into one line on stderr and exit status 1.
  func reporting<T, E: Error & CustomStringConvertible>(_ body: () throws(E) -> T) throws -> T {
    Console.colorChoice = color
    do {
      return try body()
    } catch {
      Console.error("error: \(error.description)")
      throw ExitCode(1)
    }
  }

  /// Prints `tables` in `format`, fitted to stdout's width.
  func print(_ tables: [OutputTable]) {
    Swift.print(OutputTable.render(tables, as: format, layout: .standardOutput(color)))
  }
}
