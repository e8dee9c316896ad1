import Foundation

/// The top of the report: title, what was selected, a table of the runs (status, dates,
/// duration), the environment each ran in, and the commands that reproduce each run.
struct HeaderSection {
  var input: ReportInput
  var generated: String
  /// Ids of the sections that follow, for the table of contents.
  var sections: [String]

  func markup() -> [Markup] {
    let pipelines = Array(Set(input.runs.map(\.record.pipeline))).sorted()
    let title = "Siam report: " + pipelines.joined(separator: ", ")
    var lead = "\(input.runs.count) run\(input.runs.count == 1 ? "" : "s")"
    if let sweep = input.sweep { lead += " of sweep \(sweep.id) (created \(Self.date(sweep.createdAt)))" }
    let dates = input.runs.map(\.record.startedAt).sorted()
    if let first = dates.first, let last = dates.last {
      lead += first == last ? ", started \(Self.date(first))" : ", started \(Self.date(first)) to \(Self.date(last))"
    }
    lead += ". Store \(input.storePath); generated \(generated) by siam report."
    var out: [Markup] = [
      .element(
        "header", [:],
        [
          .element("h1", text: title),
          .element("p", ["class": "lead"], text: lead),
          .element(
            "nav", ["class": "toc"],
            Self.toc.filter { $0.0 == "runs" || sections.contains($0.0) }.map {
              .element("a", ["href": "#" + $0.0], text: $0.1)
            }),
        ])
    ]
    var section: [Markup] = [.element("h2", ["id": "runs"], text: "Runs")]
    section.append(runsTable().markup())
    section.append(.element("h3", text: "Environment"))
    section.append(environmentTable().markup())
    section.append(.element("h3", text: "Reproduce"))
    for run in input.runs {
      let commands = ReproduceCommands(run: run, runsRoot: input.runsRoot, storePath: input.storePath)
      section.append(.element("p", ["class": "note"], text: run.label == run.id ? run.id : "\(run.label) — \(run.id)"))
      section.append(.element("pre", [:], [.element("code", text: commands.commands.joined(separator: "\n"))]))
      if let note = commands.note {
        section.append(.element("p", ["class": "note"], text: "No siam run form: \(note)."))
      }
    }
    out.append(.element("section", ["id": "runs-section"], section))
    return out
  }

  /// Anchors of the sections, for the table of contents.
  static let toc = [
    ("runs", "Runs"), ("curves", "Training curves"), ("evaluation", "Evaluation"), ("sweep", "Sweep"),
    ("augmentations", "Augmentations"), ("embeddings", "Embeddings"), ("parameters", "Parameters"),
  ]

  private func runsTable() -> HTMLTable {
    let rows = input.runs.map { run -> [String] in
      let r = run.record
      let point =
        r.sweepID.map { "\($0) #\(r.sweepPoint.map(String.init) ?? "?")" } ?? (r.rerunOf.map { "rerun of \($0)" } ?? "")
      let cached = run.stages.filter(\.isCacheHit).count
      return [
        run.label, r.id, r.pipeline, r.status.rawValue, Self.date(r.startedAt), r.seconds.map(Self.duration) ?? "",
        "\(run.stages.count) (\(cached) cached)", String(r.seed), point,
      ]
    }
    return HTMLTable(
      columns: ["run", "id", "pipeline", "status", "started (UTC)", "duration", "stages", "seed", "origin"],
      rows: rows, kind: "runs")
  }

  private func environmentTable() -> HTMLTable {
    let rows = input.runs.map { run -> [String] in
      let r = run.record
      let commit = r.gitCommit.map { String($0.prefix(12)) + (r.gitDirty == true ? " (dirty)" : "") } ?? "—"
      let threads = [r.threads.map { "BLAS \($0)" }, r.engineThreads.map { "engine \($0)" }].compactMap { $0 }
      return [
        run.label, r.engineVersion, commit, r.host, r.cpu ?? "—", r.blasCoreType ?? "—",
        threads.joined(separator: ", "),
      ]
    }
    return HTMLTable(
      columns: ["run", "engine", "git commit", "host", "CPU", "BLAS core type", "threads"], rows: rows,
      kind: "environment")
  }

  /// `2026-11-29T04:17:02.123Z` → `2026-11-29 04:17:02`.
  static func date(_ timestamp: String) -> String {
    String(timestamp.replacingOccurrences(of: "T", with: " ").prefix(19))
  }

  /// `75.4` → `1 min 15 s`.
  static func duration(_ seconds: Double) -> String {
    if seconds < 60 { return String(format: "%.1f s", seconds) }
    let whole = Int(seconds.rounded())
    if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
    return "\(whole / 3600) h \(whole % 3600 / 60) min"
  }
}
