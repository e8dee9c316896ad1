import SiamTensor
import Testing

@testable import SiamData

@Suite struct AugmentationChainTests {
  let image = TestImages.ramp(channels: 2, height: 2, width: 3)

  @Test func flipsAreExact() {
    let key = RandomKey(seed: 0)
    #expect(HorizontalFlip().apply(image, key: key).pixels == [2, 1, 0, 5, 4, 3, 102, 101, 100, 105, 104, 103])
    #expect(VerticalFlip().apply(image, key: key).pixels == [3, 4, 5, 0, 1, 2, 103, 104, 105, 100, 101, 102])
    let odd = TestImages.ramp(height: 3, width: 1)
    #expect(VerticalFlip().apply(odd, key: key).pixels == [2, 1, 0])
  }

  @Test func probabilityZeroNeverFiresAndOneAlwaysFires() {
    let never = AugmentationChain().appending(HorizontalFlip(), probability: 0)
    let always = AugmentationChain().appending(HorizontalFlip(), probability: 1)
    let flipped = HorizontalFlip().apply(image, key: RandomKey(seed: 0))
    for key in TestImages.keys(200) {
      #expect(never.apply(image, key: key) == image)
      #expect(always.apply(image, key: key) == flipped)
    }
    #expect(AugmentationChain().apply(image, key: RandomKey(seed: 1)) == image)
  }

  @Test func halfProbabilityFlipsHalfTheSamples() {
    let chain = AugmentationChain().appending(HorizontalFlip(), probability: 0.5)
    let flipped = HorizontalFlip().apply(image, key: RandomKey(seed: 0))
    var count = 0
    for key in TestImages.keys(10_000, seed: 11) where chain.apply(image, key: key) == flipped { count += 1 }
    let fraction = Double(count) / 10_000
    #expect(fraction > 0.47 && fraction < 0.53, "flipped fraction \(fraction)")
  }

  @Test func entriesDrawIndependentlyOfOtherEntries() {
    // The crop of entry 0 is the same whether or not a later entry exists.
    let crop = RandomResizedCrop(size: 2)
    let source = TestImages.random(channels: 1, height: 6, width: 6, seed: 2)
    let short = AugmentationChain().appending(crop)
    let long = short.appending(Solarize(threshold: 2), probability: 1)
    for key in TestImages.keys(20) {
      #expect(short.apply(source, key: key) == long.apply(source, key: key))
      #expect(short.apply(source, key: key) == crop.apply(source, key: key.folded(in: 0)))
    }
    #expect(long.outputShape(for: [1, 6, 6]) == [1, 2, 2])
  }

  @Test func solarizeInvertsAtOrAboveThreshold() {
    let pixels = Image(channels: 1, height: 1, width: 4, pixels: [0.2, 0.5, 0.7, 1])
    #expect(Solarize(threshold: 0.5).apply(pixels, key: RandomKey(seed: 0)).pixels == [0.2, 0.5, 0.3, 0])
    #expect(Solarize(threshold: 1.5).apply(pixels, key: RandomKey(seed: 0)) == pixels)
  }

  @Test func normalizeUsesPerChannelMeanAndStd() {
    let pixels = Image(channels: 2, height: 1, width: 2, pixels: [0, 1, 0.5, 0.25])
    let out = Normalize(mean: [0.5, 0.25], std: [0.5, 0.25]).apply(pixels, key: RandomKey(seed: 0))
    #expect(out.pixels == [-1, 1, 1, 0])
    let broadcast = Normalize(mean: [0.5], std: [0.25]).apply(pixels, key: RandomKey(seed: 0))
    #expect(broadcast.pixels == [-2, 2, 0, -1])
  }
}
