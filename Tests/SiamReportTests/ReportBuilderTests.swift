import Foundation
import SiamStore
import Testing
import _SiamTestSupport

@testable import SiamReport

@Suite struct ReportBuilderTests {
  @Test func reportOfOneRunHasEverySectionItsDataAllows() throws {
    let fixture = try ReportStoreFixture()
    try fixture.addRun(id: "20261129-041702-ab12")
    let report = try ReportBuilder(store: fixture.store, runsRoot: "/nonexistent").build(.runs(["20261129-0417"]))
    #expect(report.runIDs == ["20261129-041702-ab12"])
    // No run folder: no embeddings (no encoder file); the synthetic set needs no files.
    #expect(report.sections == ["runs", "curves", "evaluation", "augmentations", "embeddings", "parameters"])
    let check = XMLDocumentCheck(report.html)
    #expect(check.error == nil)
    // Curves: loss, lr, positive/negative, embedding std; evaluation: linear, kNN.
    #expect(check.count("svg") == 6, "\(check.elements)")
    #expect(check.count("img") == 1)
    #expect(report.html.contains("data:image/png;base64,"))
    #expect(check.text.contains("siam rerun 20261129-041702-ab12 --verify"))
    #expect(check.text.contains("AMD EPYC") && check.text.contains("Haswell") && check.text.contains("abcdef123456"))
    #expect(check.text.contains("pixels k=3 45.0%"))  // the baseline's reference line
    #expect(check.text.contains("no longer in the cache"))
    #expect(check.count(class: "reference") == 1)
  }

  @Test func sweepReportPlotsEachMetricAgainstTheSweptParameterWithSeedErrorBars() throws {
    let fixture = try ReportStoreFixture()
    let sweep = try fixture.addSweep()
    let report = try ReportBuilder(store: fixture.store).build(.sweep(sweep))
    #expect(report.runIDs.count == 4)
    #expect(report.sections.contains("sweep"))
    let check = XMLDocumentCheck(report.html)
    #expect(check.error == nil)
    // Metrics: linear, knn k=3, knn k=5, pixels k=3, final loss; one factor (seed is averaged).
    #expect(check.text.contains("linear top-1 vs knn.k"))
    #expect(check.text.contains("pretrain final loss vs knn.k"))
    #expect(check.count(class: "error-bar") == 8)  // 2 points × 4 metrics; the pixel baseline has no spread
    #expect(check.text.contains("knn.k=3 seed=1") || check.text.contains("k=3 seed=1"))
    // Differing parameters: k and seed.
    #expect(check.text.contains("stages.knn.k"))
    // One augmentation grid for all four runs (same chains, same data).
    #expect(check.count("img") == 1)
  }

  @Test func comparesRunsWithDifferentParameters() throws {
    let fixture = try ReportStoreFixture()
    try fixture.addRun(id: "20261129-041702-aaaa")
    try fixture.addRun(id: "20261129-041703-bbbb", overrides: ["stages.pretrain.method.temperature=0.2"])
    let report = try ReportBuilder(store: fixture.store).build(.runs(["20261129-041702-aaaa", "20261129-041703-bbbb"]))
    let check = XMLDocumentCheck(report.html)
    #expect(check.error == nil)
    #expect(check.text.contains("method.temperature=0.2"))
    #expect(check.text.contains("stages.pretrain.method.temperature"))
    #expect(!report.sections.contains("sweep"))
  }

  @Test func badSelectionsAreClearErrors() throws {
    let fixture = try ReportStoreFixture()
    try fixture.addRun(id: "20261129-041702-aaaa")
    try fixture.addRun(id: "20261129-041702-aaab")
    try fixture.store.createSweep(id: "empty-sweep", pipeline: "tiny-report", axesJSON: "[]")
    let builder = ReportBuilder(store: fixture.store)
    func code(_ selection: ReportSelection) -> ReportError.Code? {
      do {
        _ = try builder.build(selection)
        return nil
      } catch {
        return error.code
      }
    }
    #expect(code(.runs(["nope"])) == .notFound)
    #expect(code(.runs(["20261129-041702-aaa"])) == .notFound)  // ambiguous
    #expect(code(.sweep("empty-sweep")) == .empty)
    #expect(code(.sweep("missing")) == .notFound)
    #expect(code(.pipeline("other", limit: 3)) == .notFound)
    #expect(code(.pipeline("tiny-report", limit: 1)) == nil)
  }

  @Test func writingToAMissingFolderFails() throws {
    let report = Report(html: "<!DOCTYPE html>", runIDs: [], sections: [])
    #expect(throws: ReportError.self) { try report.write(to: "/nonexistent-folder/report.html") }
  }
}
