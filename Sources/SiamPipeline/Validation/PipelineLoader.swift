import Foundation

/// Reads, composes, overrides and validates a pipeline file: the library entry point of
/// `siam validate`, `siam plan` and `siam run`.
///
/// Steps: parse the YAML (anchors, aliases and `<<` merge keys), merge `include:`d files
/// (relative to the including file; later files and the including file's own keys win,
/// mappings merge key by key), apply `--set` overrides in order, decode every section,
/// build the stage DAG, and check every value of a `sweep:` block as an override.
public enum PipelineLoader {
  /// Includes nested deeper than this are an error (an include cycle is reported as such).
  public static let maximumIncludeDepth = 8

  /// Larger pipeline files (and included files) are refused before they are parsed.
  public static let maximumFileSize = 4 << 20

  /// Loads and validates the pipeline file at `path`.
  ///
  /// - Parameters:
  ///   - path: The file; diagnostics name it (and included files) as given.
  ///   - overrides: `key.path=value`, `+key.path=value`, `~key.path`, applied in order.
  ///   - registry: The stage kinds allowed.
  /// - Returns: The spec and the warnings (unused definitions, ...).
  /// - Throws: `PipelineError` with every error found, sorted by position.
  public static func load(
    path: String, overrides: [String] = [], registry: StageKindRegistry = .standard
  ) throws(PipelineError) -> (spec: PipelineSpec, warnings: [Diagnostic]) {
    var reader = IncludeReader()
    let root = try reader.read(path: path, displayName: path, includedFrom: nil)
    return try decode(root, file: path, overrides: overrides, registry: registry)
  }

  /// Loads a pipeline from text; `include:` paths are relative to `baseDirectory`.
  public static func load(
    yaml: String, file: String = "<pipeline>", baseDirectory: String = ".", overrides: [String] = [],
    registry: StageKindRegistry = .standard
  ) throws(PipelineError) -> (spec: PipelineSpec, warnings: [Diagnostic]) {
    var reader = IncludeReader()
    let root = try reader.compose(text: yaml, displayName: file, directory: baseDirectory, absolutePath: nil)
    return try decode(root, file: file, overrides: overrides, registry: registry)
  }

  private static func decode(
    _ root: SpecNode?, file: String, overrides: [String], registry: StageKindRegistry
  ) throws(PipelineError) -> (spec: PipelineSpec, warnings: [Diagnostic]) {
    var tree = root ?? emptyTree(file: file)
    try apply(overrides.enumerated().map { ($0.offset, $0.element) }, to: &tree)
    return try decode(tree, registry: registry)
  }

  /// An empty mapping standing for an empty file.
  static func emptyTree(file: String) -> SpecNode {
    SpecNode(.mapping([]), at: SourceLocation(file: file, line: 1, column: 1))
  }

  /// Applies `--set` overrides (with their 0-based position among the arguments) in order.
  ///
  /// - Throws: Every override that cannot be parsed or applied.
  static func apply(_ overrides: [(index: Int, text: String)], to tree: inout SpecNode) throws(PipelineError) {
    var problems: [Diagnostic] = []
    for (index, text) in overrides {
      do {
        try Override.parse(text, index: index).apply(to: &tree)
      } catch {
        problems += error.diagnostics
      }
    }
    if !problems.isEmpty { throw PipelineError(problems) }
  }

  /// Decodes a composed tree (includes merged, overrides applied) and checks its sweep.
  static func decode(_ tree: SpecNode, registry: StageKindRegistry) throws(PipelineError) -> (
    spec: PipelineSpec, warnings: [Diagnostic]
  ) {
    var decoder = PipelineDecoder(registry: registry)
    let spec = decoder.decode(tree)
    var errors = decoder.errors
    if errors.isEmpty { errors += checkSweep(decoder.sweepTrials, tree: tree, registry: registry) }
    guard errors.isEmpty, let spec else { throw PipelineError(errors) }
    return (spec, decoder.warnings.sorted())
  }

  /// Each sweep value applied alone as an override must give a valid pipeline; problems
  /// are reported at the value (or the key path) in the sweep block.
  private static func checkSweep(_ trials: [SweepSpec.Trial], tree: SpecNode, registry: StageKindRegistry)
    -> [Diagnostic]
  {
    var problems: [Diagnostic] = []
    for trial in trials {
      let path = KeyPath.components(trial.path)
      guard !path.isEmpty, path.first != "sweep" else {
        problems.append(
          Diagnostic(
            .invalidValue, at: trial.pathLocation, keyPath: "sweep",
            "expected a key path outside the sweep block, found '\(trial.path)'"))
        continue
      }
      var copy = tree
      let override = Override(operation: .upsert, path: path, value: trial.value, location: trial.pathLocation)
      do {
        try override.apply(to: &copy)
      } catch {
        problems += error.diagnostics.map {
          Diagnostic(
            .invalidValue, at: trial.pathLocation, keyPath: "sweep",
            "\($0.keyPath): \($0.message)", suggestion: $0.suggestion)
        }
        continue
      }
      var decoder = PipelineDecoder(registry: registry)
      _ = decoder.decode(copy)
      // The base pipeline decoded cleanly: every problem comes from this value. Problems
      // elsewhere (a key the new value makes unknown) are reported at the value too.
      for error in decoder.errors {
        let isAtValue =
          error.location.fileRank == trial.value.location.fileRank && error.location >= trial.value.location
          && error.keyPath.hasPrefix(trial.path)
        problems.append(
          isAtValue
            ? error
            : Diagnostic(
              error.code, at: trial.value.location, keyPath: error.keyPath,
              "\(error.message) (with \(trial.path) = \(trial.value.rawJSON.canonicalString) from the sweep)",
              suggestion: error.suggestion))
      }
    }
    return problems
  }
}

/// Reads a file and, recursively, the files it includes.
struct IncludeReader {
  private var nextRank = 0
  private var stack: [String] = []

  mutating func read(path: String, displayName: String, includedFrom: SourceLocation?) throws(PipelineError)
    -> SpecNode?
  {
    let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
    let here = includedFrom ?? SourceLocation(file: displayName, line: 1, column: 1)
    var info = stat()
    if stat(path, &info) == 0 {
      // Only regular files of a sane size: a FIFO or /dev/zero would block or never end.
      guard (info.st_mode & S_IFMT) == S_IFREG else {
        throw PipelineError(.syntax, at: here, "'\(displayName)' is not a regular file")
      }
      guard Int(info.st_size) <= PipelineLoader.maximumFileSize else {
        throw PipelineError(
          .syntax, at: here,
          "'\(displayName)' has \(info.st_size) bytes, more than \(PipelineLoader.maximumFileSize) (a pipeline file is a few kB)"
        )
      }
    }
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file"
      if let includedFrom {
        throw PipelineError(
          .include, at: includedFrom, keyPath: "include", "cannot include '\(displayName)': \(reason)")
      }
      throw PipelineError(
        .syntax, at: SourceLocation(file: displayName, line: 1, column: 1), "cannot read the pipeline file: \(reason)")
    }
    let directory = (path as NSString).deletingLastPathComponent
    return try compose(
      text: text, displayName: displayName, directory: directory.isEmpty ? "." : directory, absolutePath: absolute)
  }

  mutating func compose(text: String, displayName: String, directory: String, absolutePath: String?)
    throws(PipelineError) -> SpecNode?
  {
    let rank = nextRank
    nextRank += 1
    guard var root = try SpecNode.parse(yaml: text, file: displayName, fileRank: rank) else { return nil }
    guard let entries = root.entries, let includeEntry = root.entry("include") else { return root }
    root.value = .mapping(entries.filter { $0.key != "include" })
    let items = includeEntry.value.items ?? [includeEntry.value]
    var base: SpecNode?
    var problems: [Diagnostic] = []
    if let absolutePath { stack.append(absolutePath) }
    defer { if absolutePath != nil { stack.removeLast() } }
    for (index, item) in items.enumerated() {
      let itemPath = includeEntry.value.items == nil ? "include" : "include.\(index)"
      guard let relative = item.string, !relative.isEmpty else {
        problems.append(
          Diagnostic(
            .typeMismatch, at: item.location, keyPath: itemPath,
            "expected a file path or a list of file paths, found \(item.foundDescription)"))
        continue
      }
      let path = relative.hasPrefix("/") ? relative : (directory == "." ? relative : "\(directory)/\(relative)")
      let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
      if let start = stack.firstIndex(of: absolute) {
        let cycle = (stack[start...] + [absolute]).map { ($0 as NSString).lastPathComponent }
        problems.append(
          Diagnostic(.include, at: item.location, keyPath: itemPath, "include cycle: \(cycle.joined(separator: " → "))")
        )
        continue
      }
      if stack.count >= PipelineLoader.maximumIncludeDepth {
        problems.append(
          Diagnostic(
            .include, at: item.location, keyPath: itemPath,
            "includes nested deeper than \(PipelineLoader.maximumIncludeDepth) files"))
        continue
      }
      do {
        if let included = try read(path: path, displayName: path, includedFrom: item.location) {
          base = base.map { $0.merged(with: included) } ?? included
        }
      } catch {
        problems += error.diagnostics.map {
          $0.code == .include && $0.keyPath == "include" && $0.location == item.location
            ? Diagnostic($0.code, at: $0.location, keyPath: itemPath, $0.message) : $0
        }
      }
    }
    if !problems.isEmpty { throw PipelineError(problems) }
    return base.map { $0.merged(with: root) } ?? root
  }
}
