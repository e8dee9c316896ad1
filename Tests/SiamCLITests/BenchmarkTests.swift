import Foundation
import SiamBench
import SiamTensor
import Testing

/// The benchmark runs end to end on tiny shapes and reports every headline key; it
/// measures nothing here (speed is never asserted in tests).
@Suite struct BenchmarkTests {
  @Test func quickBenchmarkReportsEveryHeadlineKey() throws {
    let report = EngineBenchmark(options: .init(trials: 1, isQuick: true)).run()
    let object = try JSONSerialization.jsonObject(with: Data(report.jsonString().utf8)) as? [String: Any]
    let keys = Set(object?.keys.map { $0 } ?? [])
    for key in [
      "sgemm_gflops", "simclr_convnet_images_per_second", "simclr_resnet18_images_per_second",
      "byol_convnet_images_per_second", "mocov2_convnet_images_per_second",
      "convnet_forward_images_per_second", "resnet18_forward_images_per_second",
      "blas_core_type", "threads", "conv",
    ] {
      #expect(keys.contains(key), "missing \(key) in \(report.jsonString())")
    }
    #expect((report.sgemmGFLOPS ?? 0) > 0)
    for figure in [
      report.simclrConvnet, report.byolConvnet, report.mocov2Convnet, report.forwardConvnet, report.forwardResnet18,
    ] {
      #expect((figure?.imagesPerSecond ?? 0) > 0 && (figure?.flopsPerStep ?? 0) > 0)
    }
    #expect(report.conv.allSatisfy { $0.forwardGFLOPS > 0 && $0.backwardGFLOPS > 0 })
  }

  /// `--kernel-times` figures appear under `kernel_times`, and only when recorded.
  @Test func kernelTimesAreReportedOnlyWhenRecorded() throws {
    var report = EngineBenchmark(options: .init(trials: 1, parts: [], isQuick: true)).run()
    #expect(!report.jsonString().contains("kernel_times"))
    report.kernelTimes = [
      KernelTimes.Entry(
        kernel: .backwardWeights, shape: "8→16 4×4 k3 s1 p1", calls: 2, images: 6, seconds: 0.5, flops: 1e9)
    ]
    let object = try JSONSerialization.jsonObject(with: Data(report.jsonString().utf8)) as? [String: Any]
    let rows = try #require(object?["kernel_times"] as? [[String: Any]])
    #expect(rows.count == 1)
    #expect(rows.first?["kernel"] as? String == "backward_weights")
    #expect(rows.first?["shape"] as? String == "8→16 4×4 k3 s1 p1")
    #expect(rows.first?["calls"] as? Int == 2)
    #expect(rows.first?["gflops_per_core"] as? Double == 2)
  }

  @Test func medianOfEvenAndOddCounts() {
    #expect(Stopwatch.median([3, 1, 2]) == 2)
    #expect(Stopwatch.median([4, 1, 3, 2]) == 2.5)
  }
}
