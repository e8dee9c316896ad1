import Foundation
import SiamStore

/// Builds the HTML report of runs from the run store: `siam report`'s one entry point.
///
/// The report is one self-contained polyglot XHTML5 file (inline CSS and SVG, images as
/// `data:` URIs, nothing fetched from the network) with these sections, each left out
/// when the selection has nothing for it: runs, environment and reproduce commands;
/// training curves; evaluation bars with baselines; sweep plots (for a sweep);
/// augmentation previews; embeddings (PCA) and confusion matrices; parameters that
/// differ and final metrics. See docs/report.md.
public struct ReportBuilder: Sendable {
  public var store: RunStore
  /// Where run folders are looked for when a run's recorded folder is not found
  /// (default: the store's folder).
  public var runsRoot: String?

  public init(store: RunStore, runsRoot: String? = nil) {
    self.store = store
    self.runsRoot = runsRoot
  }

  /// The report of `selection`.
  ///
  /// - Parameter generated: The time printed in the header.
  /// - Throws: `ReportError` when the selection cannot be read (unknown run or sweep,
  ///   no runs); problems of single parts become notes in the report.
  /// - Complexity: Loads every metric of the selected runs; loads each distinct dataset
  ///   once and may run an encoder over up to 2,000 test images per run (PCA).
  public func build(_ selection: ReportSelection, generated: Date = Date()) throws(ReportError) -> Report {
    let input = try ReportInput.load(store: store, selection: selection, runsRoot: runsRoot)
    return Self.render(input, generated: generated)
  }

  /// The report of runs already read.
  public static func render(_ input: ReportInput, generated: Date = Date()) -> Report {
    let datasets = DatasetLoader()
    let candidates: [(String, Markup?)] = [
      ("curves", CurvesSection(input: input).markup()),
      ("evaluation", EvaluationSection(input: input).markup()),
      ("sweep", SweepSection(input: input).markup()),
      ("augmentations", AugmentationSection(input: input, datasets: datasets).markup()),
      ("embeddings", EmbeddingSection(input: input, datasets: datasets).markup()),
      ("parameters", ComparisonSection(input: input).markup()),
    ]
    let present = candidates.compactMap { name, markup in markup.map { (name, $0) } }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    let header = HeaderSection(input: input, generated: formatter.string(from: generated), sections: present.map(\.0))
    let pipelines = Array(Set(input.runs.map(\.record.pipeline))).sorted().joined(separator: ", ")
    let page = HTMLPage(title: "Siam report: \(pipelines)", body: header.markup() + present.map(\.1))
    return Report(html: page.rendered(), runIDs: input.runs.map(\.id), sections: ["runs"] + present.map(\.0))
  }
}

/// A finished report: the HTML text and what it holds.
public struct Report: Sendable {
  public var html: String
  public var runIDs: [String]
  /// Ids of the sections present (`runs`, `curves`, `evaluation`, ...), in page order.
  public var sections: [String]

  /// Writes the HTML to `path` atomically (a temporary file renamed into place).
  ///
  /// - Throws: `ReportError` `output` naming the path and the reason.
  public func write(to path: String) throws(ReportError) {
    do {
      try Data(html.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      let reason = (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
      throw ReportError(.output, "cannot write the report to \(path): \(reason)")
    }
  }
}
