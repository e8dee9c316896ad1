import Testing
import _SiamTestSupport

@testable import SiamTensor

/// `KernelTimes` (behind `siam bench --kernel-times`) records every direct kernel call
/// while on, with its images and FLOPs, and nothing once stopped.
@Suite(.serialized) struct KernelTimesTests {
  // A shape no other test convolves, so calls from tests running alongside cannot change
  // its totals.
  private let g = ConvGeometry(input: [3, 8, 6, 9], weight: [24, 8, 3, 3], stride: 2, padding: 1)
  private let shapeName = "8→24 6×9 k3 s2 p1"

  private func convolve() {
    let x = makeTestTensor([3, 8, 6, 9], seed: 91)
    let w = makeTestTensor([24, 8, 3, 3], seed: 92)
    let dy = makeTestTensor(g.outputShape, seed: 93)
    _ = Conv2dKernel.forward(g, input: x, weight: w, bias: nil, directKernels: true)
    _ = Conv2dKernel.backward(
      g, outputGradient: dy, input: x, weight: w, needsInput: true, needsWeight: true, directKernels: true)
  }

  @Test func recordsEachKernelWithItsImagesAndFlops() throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    #expect(g.outputShape == [3, 24, 3, 5])
    KernelTimes.start()
    convolve()
    convolve()
    let entries = KernelTimes.stop().filter { $0.shape == shapeName }
    #expect(entries.map(\.kernel) == [.forward, .backwardData, .backwardWeights])
    // 2 multiply-add FLOPs × images × filters × output pixels × channels × taps.
    let flops = 2.0 * Double(3 * 24 * (3 * 5) * 8 * 9)
    for entry in entries {
      #expect(entry.calls == 2, "\(entry.kernel)")
      #expect(entry.images == 6, "\(entry.kernel)")
      #expect(entry.flops == 2 * flops, "\(entry.kernel)")
      #expect(entry.seconds > 0 && entry.gflopsPerCore > 0, "\(entry.kernel)")
    }
  }

  @Test func recordsNothingOnceStopped() throws {
    try #require(DirectConvolution.isAvailable, "needs AVX2 + FMA")
    KernelTimes.start()
    convolve()
    let first = KernelTimes.stop().filter { $0.shape == shapeName }
    convolve()
    let second = KernelTimes.stop().filter { $0.shape == shapeName }
    #expect(first.count == 3)
    #expect(second == first)
    KernelTimes.start()
    #expect(KernelTimes.stop().filter { $0.shape == shapeName }.isEmpty, "start() clears the totals")
  }
}
