import Foundation
import SiamPipeline
import SiamStore

/// What a report covers: runs by id, the runs of a sweep, or the recent runs of a
/// pipeline.
public enum ReportSelection: Sendable, Hashable {
  case runs([String])
  case sweep(String)
  /// The newest `limit` finished runs of the pipeline `name:`.
  case pipeline(String, limit: Int)
}

/// The runs of a report, read from the store, oldest first, each with a short label.
public struct ReportInput: Sendable {
  public var runs: [ReportRun]
  /// The sweep, for `.sweep`.
  public var sweep: SweepRecord?
  /// The store file.
  public var storePath: String
  /// The folder of run folders and the cache.
  public var runsRoot: String

  /// Reads `selection` from `store`.
  ///
  /// - Parameter runsRoot: Where run folders are looked for when a run's recorded
  ///   folder is not found (default: the store's folder).
  /// - Throws: `ReportError` `notFound` (unknown run, sweep or pipeline), `empty` (a
  ///   sweep or pipeline without runs), `store` (the store cannot be read).
  public static func load(store: RunStore, selection: ReportSelection, runsRoot: String? = nil) throws(ReportError)
    -> ReportInput
  {
    let root = runsRoot ?? (store.path as NSString).deletingLastPathComponent
    var sweep: SweepRecord?
    let records: [RunRecord]
    do {
      switch selection {
      case .runs(let ids):
        guard !ids.isEmpty else {
          throw ReportError(.empty, "no runs given: name run ids, --sweep ID or --pipeline NAME")
        }
        var seen = Set<String>()
        records = try ids.map { id throws(StoreError) in try store.run(matching: id) }.filter {
          seen.insert($0.id).inserted
        }
      case .sweep(let id):
        sweep = try store.sweep(id: id)
        records = try store.runs(sweep: id).reversed()
        if records.isEmpty { throw ReportError(.empty, "sweep '\(id)' has no runs yet (siam sweep FILE runs one)") }
      case .pipeline(let name, let limit):
        records = try store.runs(pipeline: name, status: .finished, limit: limit).reversed()
        if records.isEmpty {
          throw ReportError(
            .notFound, "no finished run of pipeline '\(name)' in the store \(store.path) (siam runs lists them)")
        }
      }
    } catch let error as ReportError {
      throw error
    } catch let error as StoreError {
      throw ReportError(error.code == .notFound || error.code == .ambiguous ? .notFound : .store, error.description)
    } catch {
      throw ReportError(.store, "\(error)")
    }
    var runs: [ReportRun] = []
    for record in records {
      do {
        runs.append(try ReportRun.load(record, store: store, runsRoot: root))
      } catch {
        throw ReportError(.store, error.description)
      }
    }
    var input = ReportInput(runs: runs, sweep: sweep, storePath: store.path, runsRoot: root)
    input.assignLabels()
    return input
  }

  /// The runs' parameters side by side.
  public var comparison: ParameterComparison { ParameterComparison(params: runs.map(\.params)) }

  /// Gives each run a short, unique label: its sweep point's overrides, else its
  /// pipeline's name when the runs come from different pipelines, else the parameters
  /// that differ between the runs (short keys; `+name` for a stage only some runs have),
  /// else its id; the id's suffix is appended where labels would collide.
  mutating func assignLabels() {
    let differing = comparison.differingKeys(excluding: ["seed"])
    if differing.contains("name") {
      labelByPipeline()
      return
    }
    // A stage that only some runs have is named once (`+pixels_knn`), not key by key.
    func stage(of key: String) -> String? {
      let parts = key.split(separator: ".", maxSplits: 2)
      return parts.count == 3 && parts[0] == "stages" ? String(parts[1]) : nil
    }
    func has(_ run: ReportRun, _ stage: String) -> Bool {
      run.params.keys.contains { $0.hasPrefix("stages.\(stage).") }
    }
    let partial = Set(differing.compactMap(stage(of:))).filter { name in runs.contains { !has($0, name) } }.sorted()
    let keys = differing.filter { stage(of: $0).map { !partial.contains($0) } ?? true }
    let seedDiffers = Set(runs.map(\.record.seed)).count > 1
    let labels = runs.map { run -> String in
      if !run.origin.sweepOverrides.isEmpty {
        return run.origin.sweepOverrides.map { $0.hasPrefix("stages.") ? String($0.dropFirst(7)) : $0 }.joined(
          separator: " ")
      }
      var parts = keys.prefix(3).compactMap { key in run.param(key).map { "\(ParameterComparison.shortKey(key))=\($0)" }
      }
      parts += partial.filter { has(run, $0) }.map { "+" + $0 }
      if seedDiffers { parts.append("seed=\(run.record.seed)") }
      return parts.isEmpty ? run.id : parts.joined(separator: " ")
    }
    assign(labels)
  }

  /// Runs of several pipelines: each labelled by its pipeline's name.
  private mutating func labelByPipeline() {
    assign(runs.map { $0.record.pipeline })
  }

  /// Sets the labels, cut to 48 characters, with the id's suffix where two would collide.
  private mutating func assign(_ labels: [String]) {
    let labels = labels.map { $0.count > 48 ? String($0.prefix(47)) + "…" : $0 }
    let counts = Dictionary(labels.map { ($0, 1) }, uniquingKeysWith: +)
    for index in runs.indices {
      let label = labels[index]
      runs[index].label =
        counts[label]! > 1 && label != runs[index].id ? "\(label) (\(runs[index].id.suffix(4)))" : label
    }
  }
}
