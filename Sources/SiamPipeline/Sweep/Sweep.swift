/// A sweep expanded into its points: a pipeline file's `sweep:` block combined with the
/// axes given on the command line (`--set key=a,b`, `range(...)`, `choice(...)`), every
/// point validated as a pipeline. The library entry point of `siam sweep`.
///
/// Order: the file's points (grid: keys in file order, the last varying fastest; zip; or
/// the random draws) form the outer loop, the command-line axes (in argument order, the
/// last varying fastest) the inner one. A key given on the command line (fixed or as an
/// axis) replaces the file's axis of that key.
public struct Sweep: Sendable {
  /// The pipeline file as given.
  public var file: String
  /// The pipeline's `name:`.
  public var pipeline: String
  /// `--set` arguments with a single value, applied to every point.
  public var fixedOverrides: [String]
  /// The axes that vary, file axes first.
  public var axes: [SweepAxis]
  /// Every point, in order.
  public var points: [SweepPoint]
  /// Warnings of the pipeline file (unused definitions, ...).
  public var warnings: [Diagnostic]

  /// More points than this is an error (a typo in a `range` step, say).
  public static let maximumPoints = 10_000

  /// Expands the sweep of the pipeline file at `path`.
  ///
  /// - Parameters:
  ///   - path: The pipeline file.
  ///   - arguments: The `--set` arguments, in order (fixed overrides and axes).
  ///   - registry: The stage kinds allowed.
  /// - Throws: `PipelineError`: problems of the file (`file:line:column`), of an argument
  ///   (`--set[i]:1:column`), or of a point (each diagnostic names the point).
  public static func expand(
    path: String, arguments: [String] = [], registry: StageKindRegistry = .standard
  ) throws(PipelineError) -> Sweep {
    var reader = IncludeReader()
    let root = try reader.read(path: path, displayName: path, includedFrom: nil)
    return try expand(
      root ?? PipelineLoader.emptyTree(file: path), file: path, arguments: arguments, registry: registry)
  }

  /// Expands the sweep of a pipeline given as text (`include:` relative to `baseDirectory`).
  public static func expand(
    yaml: String, file: String = "<pipeline>", baseDirectory: String = ".", arguments: [String] = [],
    registry: StageKindRegistry = .standard
  ) throws(PipelineError) -> Sweep {
    var reader = IncludeReader()
    let root = try reader.compose(text: yaml, displayName: file, directory: baseDirectory, absolutePath: nil)
    return try expand(
      root ?? PipelineLoader.emptyTree(file: file), file: file, arguments: arguments, registry: registry)
  }

  /// Whether a `--set` argument lists several values (`key=a,b`, `range(...)`,
  /// `choice(...)`): an axis for `siam sweep`, a mistake for `siam run`.
  public static func isAxis(_ argument: String) -> Bool {
    if case .axis? = try? SweepArgument.parse(argument, index: 0) { return true }
    return false
  }

  /// `{file, pipeline, fixed_overrides, axes, points: [{index, overrides}]}`.
  public var json: CanonicalJSON {
    [
      "file": .string(file),
      "pipeline": .string(pipeline),
      "fixed_overrides": .array(fixedOverrides.map(CanonicalJSON.string)),
      "axes": .array(axes.map(\.json)),
      "points": .array(
        points.map { ["index": .number($0.index), "overrides": .array($0.overrides.map(CanonicalJSON.string))] }),
    ]
  }

  // MARK: - Expansion

  private static func expand(
    _ root: SpecNode, file: String, arguments: [String], registry: StageKindRegistry
  ) throws(PipelineError) -> Sweep {
    var fixed: [(index: Int, text: String)] = []
    var commandLineAxes: [CommandLineAxis] = []
    var problems: [Diagnostic] = []
    for (index, text) in arguments.enumerated() {
      do {
        switch try SweepArgument.parse(text, index: index) {
        case .fixed(let text): fixed.append((index, text))
        case .axis(let axis): commandLineAxes.append(axis)
        }
      } catch {
        problems += error.diagnostics
      }
    }
    if !problems.isEmpty { throw PipelineError(problems) }
    var base = root
    try PipelineLoader.apply(fixed, to: &base)
    let (baseSpec, warnings) = try PipelineLoader.decode(base, registry: registry)

    // Keys set on the command line replace the file's axes of the same key.
    let overridden = Set(
      fixed.compactMap { try? Override.parse($0.text, index: $0.index).dottedPath }
        + commandLineAxes.map(\.dottedPath))
    let fileAxes = FileAxes(tree: base, spec: baseSpec.sweep, removing: overridden)
    let commandLine = commandLineAxes.map { axis in
      SweepAxis(
        path: axis.dottedPath, kind: .commandLine, values: axis.values.map(\.rawJSON), distribution: nil,
        source: "--set[\(axis.argumentIndex + 1)]")
    }
    let axes = fileAxes.axes + commandLine

    let innerCount = commandLineAxes.reduce(1) { product($0, $1.values.count) }
    let total = product(fileAxes.pointCount, innerCount)
    if total > maximumPoints {
      throw PipelineError(
        .invalidValue, at: base["sweep"]?.location ?? commandLineAxes.first?.keyLocation ?? base.location,
        keyPath: "sweep",
        "the sweep has \(total == .max ? "too many" : String(total)) points, more than \(maximumPoints)")
    }
    var tree = base
    if var entries = tree.entries {
      entries.removeAll { $0.key == "sweep" }
      tree.value = .mapping(entries)
    }
    var points: [SweepPoint] = []
    var seen: Set<String> = []
    for outer in 0..<fileAxes.pointCount {
      let fileAssignments = fileAxes.assignments(point: outer)
      for inner in 0..<innerCount {
        var remainder = inner
        var commandLineAssignments: [(Override, SweepAssignment)] = []
        for (axisIndex, axis) in commandLineAxes.enumerated().reversed() {
          let valueIndex = remainder % axis.values.count
          remainder /= axis.values.count
          commandLineAssignments.insert(
            (
              axis.override(valueIndex),
              SweepAssignment(
                path: axis.dottedPath, value: axis.values[valueIndex].rawJSON, source: commandLine[axisIndex].source)
            ), at: 0)
        }
        let assignments = fileAssignments + commandLineAssignments
        let index = points.count
        do {
          let spec = try Self.decodePoint(tree, assignments: assignments.map(\.0), registry: registry)
          points.append(SweepPoint(index: index, assignments: assignments.map(\.1), spec: spec))
        } catch {
          let label = assignments.isEmpty ? "" : ": " + assignments.map(\.1.text).joined(separator: ", ")
          for d in error.diagnostics where seen.insert("\(d.location) \(d.keyPath) \(d.message)").inserted {
            var d = d
            d.message += " (sweep point \(index + 1) of \(total)\(label))"
            problems.append(d)
          }
          points.append(SweepPoint(index: index, assignments: assignments.map(\.1), spec: baseSpec))
        }
      }
    }
    if !problems.isEmpty { throw PipelineError(problems) }
    return Sweep(
      file: file, pipeline: baseSpec.name, fixedOverrides: fixed.map(\.text), axes: axes, points: points,
      warnings: warnings)
  }

  private static func decodePoint(
    _ tree: SpecNode, assignments: [Override], registry: StageKindRegistry
  ) throws(PipelineError) -> PipelineSpec {
    var tree = tree
    var problems: [Diagnostic] = []
    for override in assignments {
      do {
        try override.apply(to: &tree)
      } catch {
        problems += error.diagnostics
      }
    }
    if !problems.isEmpty { throw PipelineError(problems) }
    return try PipelineLoader.decode(tree, registry: registry).spec
  }
}

/// One varying key of a sweep.
public struct SweepAxis: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable {
    case grid, zip, random
    case commandLine = "command_line"
  }

  /// The dotted key path.
  public var path: String
  public var kind: Kind
  /// The values in order (empty for a random axis).
  public var values: [CanonicalJSON]
  /// A random axis's distribution (`log_uniform(0.01, 1)`).
  public var distribution: String?
  /// `file:line:column` of the key in the `sweep:` block, or `--set[i]`.
  public var source: String

  public var json: CanonicalJSON {
    [
      "path": .string(path), "kind": .string(kind.rawValue), "values": .array(values),
      "distribution": distribution.map(CanonicalJSON.string) ?? .null, "source": .string(source),
    ]
  }
}

/// A key and the value one point gives it.
public struct SweepAssignment: Sendable, Hashable {
  public var path: String
  public var value: CanonicalJSON
  /// Where the axis is defined (`file:line:column` or `--set[i]`).
  public var source: String

  /// `path=value` (strings bare when they read back as the same string).
  public var text: String { "\(path)=\(value.overrideText)" }
}

/// One run of a sweep: its assignments and the pipeline they give.
public struct SweepPoint: Sendable {
  /// 0-based position in the sweep.
  public var index: Int
  /// What this point sets, file axes first.
  public var assignments: [SweepAssignment]
  /// The validated pipeline of this point (fixed overrides and assignments applied).
  public var spec: PipelineSpec

  /// The assignments as `--set` arguments: `siam run FILE --set ...` reproduces the point.
  public var overrides: [String] { assignments.map(\.text) }
}

extension CanonicalJSON {
  /// The value as a `--set` value: canonical JSON, except strings that YAML reads back as
  /// the same string without quotes.
  var overrideText: String {
    guard case .string(let s) = self else { return canonicalString }
    let plain =
      !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "_-./".contains($0) }
      && Double(s) == nil && !s.hasPrefix(".") && !s.lowercased().hasPrefix("0x") && !s.lowercased().hasPrefix("0o")
      && !["true", "false", "null", "yes", "no", "on", "off", "~"].contains(s.lowercased())
    return plain ? s : canonicalString
  }
}

/// `a × b`, saturating at `Int.max` (point counts of absurd grids must not trap).
func product(_ a: Int, _ b: Int) -> Int {
  let (value, overflow) = a.multipliedReportingOverflow(by: b)
  return overflow ? .max : value
}
