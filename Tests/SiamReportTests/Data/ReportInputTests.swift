import Testing

@testable import SiamReport

@Suite struct ReportInputTests {
  @Test func labelsNameTheDifferencesAndStagesOnlySomeRunsHave() throws {
    let fixture = try ReportStoreFixture()
    try fixture.addRun(id: "20261129-041702-aaaa")
    try fixture.addRun(id: "20261129-041703-bbbb", overrides: ["+stages.extra={kind: knn, needs: [data], k: 2}"])
    try fixture.addRun(id: "20261129-041704-cccc", overrides: ["stages.pretrain.optimizer.lr=0.1"])
    let input = try ReportInput.load(
      store: fixture.store, selection: .runs(["20261129-041702-aaaa", "20261129-041703-bbbb", "20261129-041704-cccc"]))
    #expect(input.runs.map(\.label) == ["optimizer.lr=0.05", "optimizer.lr=0.05 +extra", "optimizer.lr=0.1"])
  }
  /// Runs of different pipelines (method recipes side by side) are named by pipeline;
  /// two runs of the same one get their id's suffix.
  @Test func runsOfSeveralPipelinesAreLabelledByPipeline() throws {
    let fixture = try ReportStoreFixture()
    try fixture.addRun(id: "20261129-041702-aaaa", overrides: ["name=simclr-tiny"])
    try fixture.addRun(id: "20261129-041703-bbbb", overrides: ["name=moco-tiny", "stages.pretrain.optimizer.lr=0.1"])
    try fixture.addRun(id: "20261129-041704-cccc", overrides: ["name=moco-tiny"])
    let input = try ReportInput.load(
      store: fixture.store, selection: .runs(["20261129-041702-aaaa", "20261129-041703-bbbb", "20261129-041704-cccc"]))
    #expect(input.runs.map(\.label) == ["simclr-tiny", "moco-tiny (bbbb)", "moco-tiny (cccc)"])
  }
}
