import SiamTensor
import Testing
import _SiamTestSupport

@testable import SiamData

@Suite struct RandomResizedCropTests {
  @Test func fullScaleSquareRatioIsAPlainResize() {
    let image = TestImages.ramp(channels: 2, height: 4, width: 4)
    let same = RandomResizedCrop(size: 4, scale: 1...1, ratio: 1...1)
    for key in TestImages.keys(5) { #expect(same.apply(image, key: key) == image) }
    let half = RandomResizedCrop(size: 2, scale: 1...1, ratio: 1...1)
    let expected = Resize(height: 2, width: 2).apply(image, key: RandomKey(seed: 0))
    #expect(half.apply(image, key: RandomKey(seed: 9)) == expected)
    #expect(half.outputShape(for: [2, 4, 4]) == [2, 2, 2])
  }

  @Test func fallsBackToCenterCropAfterTenFailures() {
    // 4×8 with scale 1 and ratio 1: w = h = round(√32) = 6 > 4 every try, so the fallback:
    // in_ratio 2 > 1 → h = 4, w = round(4 · 1) = 4, top 0, left (8 − 4) / 2 = 2.
    let op = RandomResizedCrop(height: 4, width: 4, scale: 1...1, ratio: 1...1)
    let box = op.cropBox(imageHeight: 4, imageWidth: 8, key: RandomKey(seed: 1))
    #expect(box == (0, 2, 4, 4))
    // Tall image 8×4 and ratio in [2, 3]: in_ratio 0.5 < 2 → w = 4, h = round(4 / 2) = 2.
    let wide = RandomResizedCrop(height: 2, width: 2, scale: 1...1, ratio: 2...3)
    #expect(wide.cropBox(imageHeight: 8, imageWidth: 4, key: RandomKey(seed: 1)) == (3, 0, 2, 4))
  }

  @Test func cropAreaDistributionMatchesTorchvision() {
    // Mean accepted area fraction on 32×32 with scale (0.08, 1), default ratio: 0.491
    // (simulation of torchvision's get_params, 200k draws).
    let op = RandomResizedCrop(size: 32)
    var sum = 0.0
    var smallest = 1.0
    for key in TestImages.keys(10_000, seed: 5) {
      let box = op.cropBox(imageHeight: 32, imageWidth: 32, key: key)
      #expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 32 && box.left + box.width <= 32)
      let fraction = Double(box.height * box.width) / 1024
      let aspect = Double(box.width) / Double(box.height)
      #expect(aspect > 0.6 && aspect < 1.6)
      sum += fraction
      smallest = min(smallest, fraction)
    }
    let mean = sum / 10_000
    #expect(mean > 0.475 && mean < 0.507, "mean area fraction \(mean)")
    #expect(smallest < 0.1)
  }
}
