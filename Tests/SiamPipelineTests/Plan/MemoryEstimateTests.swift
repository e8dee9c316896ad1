import Foundation
import Testing

@testable import SiamPipeline

/// Configurations that cannot fit the machine are refused at plan time, with the
/// estimate and the machine's memory.
@Suite struct MemoryEstimateTests {
  @Test func aHugeCropAndBatchIsRefusedBeforeAnythingRuns() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let spec = try fixture.spec([
      "augmentations.view.0.random_resized_crop.size=4096", "stages.pretrain.batch_size=4096",
    ])
    #expect {
      try fixture.runner().run(spec)
    } throws: { error in
      let message = (error as? RunError)?.description ?? ""
      return message.contains("stage 'pretrain'") && message.contains("needs about")
        && message.contains("more than this machine's") && message.contains("batch of 4096")
    }
    #expect(!FileManager.default.fileExists(atPath: fixture.root + "/cache"), "nothing ran")
  }

  @Test func theEstimateFollowsTheConfiguration() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let small = try fixture.spec()
    let pretrain = try #require(MemoryEstimate.bytes(of: small.stages["pretrain"]!, in: small))
    // 64 + 32 images of 1×12×12; a batch of 16, two views, convnet [4, 8] strides [1, 2]:
    // (4·144·3 + 8·36·3) floats a view, × 2 views × 16 × 4 bytes × 2.
    let images: Double = 96 * 144 * 4
    let floatsPerView: Double = 4 * 144 * 3 + 8 * 36 * 3
    let perBatch: Double = floatsPerView * 2 * 16 * 4 * 2
    let parameters: Double = (4 * 9 + 32 * 9) * 16
    #expect(pretrain.bytes == images + perBatch + parameters)
    // Doubling the batch doubles the batch's share.
    let doubled = try fixture.spec(["stages.pretrain.batch_size=32"])
    #expect(
      MemoryEstimate.bytes(of: doubled.stages["pretrain"]!, in: doubled)!.bytes == images + 2 * perBatch + parameters)
    // A machine of 100 kB refuses even the tiny pipeline, naming the first stage too big.
    #expect(throws: RunError.self) { try MemoryEstimate.check(small, available: 100_000) }
    try MemoryEstimate.check(small, available: 1e9)
  }

  @Test func aKLargerThanTheTrainingSplitIsRefusedAtPlanTime() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    #expect {
      try fixture.runner().plan(try fixture.spec(["stages.knn.k=65"]))
    } throws: { error in
      (error as? RunError)?.description
        == "stage 'knn': k = 65 neighbours, but the training split has 64 images; use a k of at most 64"
    }
    _ = try fixture.runner().plan(try fixture.spec(["stages.knn.k=64"]))
  }
}
