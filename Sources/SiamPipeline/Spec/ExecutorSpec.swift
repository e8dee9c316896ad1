import Foundation

/// Where the points of a sweep execute: a pipeline's `executor:` block, overridden by the
/// `siam sweep` flags (`--executor`, `--jobs`, `--partition`, ...).
///
/// ```yaml
/// executor:
///   type: slurm              # in-process (default), local or slurm
///   partition: gpu
///   account: lab42
///   cpus_per_task: 2         # engine and BLAS threads of each point
///   mem: 8G
///   time: "02:00:00"
///   max_parallel: 16         # points at once (local: child processes; slurm: the array's %N)
///   setup: ["module load openblas", "export OMP_NUM_THREADS=1"]
///   sbatch_args: ["--constraint=avx2"]
/// ```
///
/// Executor settings never enter a fingerprint nor the recorded parameters: where a point
/// ran never changes its results or its cache keys (docs/cluster.md).
public struct ExecutorSpec: Sendable, Hashable {
  public enum Kind: String, Sendable, Hashable, CaseIterable {
    /// Points one after another in the `siam sweep` process.
    case inProcess = "in-process"
    /// Child processes on this machine, `max_parallel` at once.
    case local
    /// Slurm job arrays (`sbatch`), on a cluster sharing the runs folder.
    case slurm
  }

  public var type: Kind = .inProcess
  public var partition: String?
  public var account: String?
  public var qos: String?
  /// CPUs of each point (Slurm `--cpus-per-task`; the point's engine and BLAS threads).
  public var cpusPerTask: Int?
  /// Memory of each point, Slurm's syntax (`8G`, `500M`).
  public var mem: String?
  /// Time limit of each point, Slurm's syntax (`90`, `01:30:00`, `1-12:00:00`).
  public var time: String?
  /// Points running at once; nil: local, cores / cpus_per_task; Slurm, no throttle.
  public var maxParallel: Int?
  /// Shell lines run before each task (`module load ...`, `export ...`).
  public var setup: [String] = []
  /// More `sbatch` arguments, passed as given.
  public var sbatchArgs: [String] = []

  public init(type: Kind = .inProcess) {
    self.type = type
  }

  /// Most points at once; larger is a typo.
  public static let maximumParallel = 100_000

  /// The shape of the block, for the decoder and the JSON Schema.
  static let shape = ParameterShape.ObjectShape(
    [
      .init(
        "type", .enumeration(Kind.allCases.map(\.rawValue)), .defaultValue("in-process"),
        "Where the points of a sweep run: in this process, as local child processes, or as Slurm jobs."),
      .init("partition", .nullable(.string()), .optional, "Slurm partition (sbatch --partition)."),
      .init("account", .nullable(.string()), .optional, "Slurm account (sbatch --account)."),
      .init("qos", .nullable(.string()), .optional, "Slurm quality of service (sbatch --qos)."),
      .init(
        "cpus_per_task", .nullable(.integer(Bounds(minimum: 1, maximum: 4096))), .optional,
        "CPUs of each point: its engine and BLAS threads (sbatch --cpus-per-task)."),
      .init("mem", .nullable(.string()), .optional, "Memory of each point in Slurm's syntax, e.g. 8G (sbatch --mem)."),
      // A number is accepted here only to be refused with a better message below: YAML
      // reads an unquoted 1:30:00 as the base-60 number 5400.
      .init(
        "time", .nullable(.alternatives([.string(), .number()])), .optional,
        "Time limit of each point in Slurm's syntax, quoted, e.g. \"01:30:00\" or \"1-12:00:00\" (sbatch --time)."),
      .init(
        "max_parallel", .nullable(.integer(Bounds(minimum: 1, maximum: Double(maximumParallel)))), .optional,
        "Points running at once: local child processes, or the Slurm array throttle (%N)."),
      .init("setup", .list(.string()), .defaultValue([]), "Shell lines run before each task (module load, export)."),
      .init("sbatch_args", .list(.string()), .defaultValue([]), "More sbatch arguments, passed as given."),
    ],
    check: { values in
      if let number = values["time"]?.doubleValue {
        return [
          .init(
            key: "time",
            "expected a time limit in quotes, such as \"1:30:00\"; YAML reads an unquoted 1:30:00 as a base-60 number (here \(CanonicalJSON.format(number)))"
          )
        ]
      }
      return ExecutorSpec(resolved: ResolvedValues(values)).problems.map { .init(key: $0.key, $0.message) }
    })

  typealias Bounds = ParameterShape.Bounds

  /// The spec of a decoded block.
  init(resolved r: ResolvedValues) {
    type = Kind(rawValue: r.string("type")) ?? .inProcess
    partition = r.optionalString("partition")
    account = r.optionalString("account")
    qos = r.optionalString("qos")
    cpusPerTask = r.optionalInt("cpus_per_task")
    mem = r.optionalString("mem")
    time = r.optionalString("time")
    maxParallel = r.optionalInt("max_parallel")
    setup = r.strings("setup")
    sbatchArgs = r.strings("sbatch_args")
  }

  /// What is wrong with the values, by YAML key (`cpus_per_task`); empty when valid.
  public var problems: [(key: String, message: String)] {
    var out: [(String, String)] = []
    for (key, value) in [("partition", partition), ("account", account), ("qos", qos)] {
      if let value, !Self.isSlurmName(value) {
        out.append((key, "expected a Slurm name (letters, digits, '_', '-', '.', ',' for several), found '\(value)'"))
      }
    }
    if let mem, !Self.isMemory(mem) {
      out.append(("mem", "expected a size such as 500M, 8G or 1T (Slurm's --mem), found '\(mem)'"))
    }
    if let time, !Self.isTimeLimit(time) {
      out.append(
        ("time", "expected a time limit such as 90 (minutes), 01:30:00 or 1-12:00:00 (Slurm's --time), found '\(time)'")
      )
    }
    for (index, line) in setup.enumerated() where line.contains("\n") || line.contains("\0") {
      out.append(("setup", "line \(index + 1) holds a line break; give one shell line per item"))
    }
    for (index, argument) in sbatchArgs.enumerated() where !argument.hasPrefix("-") || argument.contains("\n") {
      out.append(("sbatch_args", "item \(index + 1) '\(argument)' is not an sbatch option (it must start with '-')"))
    }
    return out
  }

  /// `{type, partition, ...}` with null for unset values (recorded in the sweep folder).
  public var json: CanonicalJSON {
    [
      "type": .string(type.rawValue), "partition": partition.map(CanonicalJSON.string) ?? .null,
      "account": account.map(CanonicalJSON.string) ?? .null, "qos": qos.map(CanonicalJSON.string) ?? .null,
      "cpus_per_task": cpusPerTask.map { .number($0) } ?? .null, "mem": mem.map(CanonicalJSON.string) ?? .null,
      "time": time.map(CanonicalJSON.string) ?? .null, "max_parallel": maxParallel.map { .number($0) } ?? .null,
      "setup": .array(setup.map(CanonicalJSON.string)), "sbatch_args": .array(sbatchArgs.map(CanonicalJSON.string)),
    ]
  }

  /// Reads `json` back (unknown or missing members keep their defaults).
  public init(json: CanonicalJSON) {
    type = json["type"]?.stringValue.flatMap(Kind.init(rawValue:)) ?? .inProcess
    partition = json["partition"]?.stringValue
    account = json["account"]?.stringValue
    qos = json["qos"]?.stringValue
    cpusPerTask = json["cpus_per_task"]?.intValue
    mem = json["mem"]?.stringValue
    time = json["time"]?.stringValue
    maxParallel = json["max_parallel"]?.intValue
    setup = json["setup"]?.arrayValue?.compactMap(\.stringValue) ?? []
    sbatchArgs = json["sbatch_args"]?.arrayValue?.compactMap(\.stringValue) ?? []
  }

  // MARK: - Slurm's value syntax

  static func isSlurmName(_ text: String) -> Bool {
    !text.isEmpty && text.count <= 256
      && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.,".contains($0)) }
  }

  /// `500`, `500M`, `8G`, `1T` (MB when no unit, as Slurm reads it).
  static func isMemory(_ text: String) -> Bool {
    var digits = Substring(text)
    if let last = digits.last, "KMGTkmgt".contains(last) { digits = digits.dropLast() }
    guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy(\.isASCII), let value = Int(digits) else {
      return false
    }
    return value > 0
  }

  /// Slurm's `--time` forms: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`.
  static func isTimeLimit(_ text: String) -> Bool {
    func numbers(_ part: Substring, count: ClosedRange<Int>) -> Bool {
      let fields = part.split(separator: ":", omittingEmptySubsequences: false)
      return count.contains(fields.count)
        && fields.allSatisfy { !$0.isEmpty && $0.count <= 6 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
    }
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    switch parts.count {
    case 1: return numbers(parts[0], count: 1...3)
    case 2: return numbers(parts[0], count: 1...1) && numbers(parts[1], count: 1...3)
    default: return false
    }
  }
}
