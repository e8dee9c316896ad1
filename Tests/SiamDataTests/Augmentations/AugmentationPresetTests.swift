import SiamTensor
import Testing

@testable import SiamData

@Suite struct AugmentationPresetTests {
  @Test func simclrMatchesThePaper() {
    let chain = AugmentationPreset.simclr.makeChain(size: 32, strength: 0.5, channels: 3)
    #expect(chain.entries.map(\.probability) == [1, 0.5, 0.8, 0.2, 0.5])
    #expect((chain.entries[0].op as? RandomResizedCrop) == RandomResizedCrop(size: 32, scale: 0.08...1))
    #expect(
      (chain.entries[2].op as? ColorJitter) == ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1))
    #expect(chain.entries[3].op is Grayscale && chain.entries[4].op is GaussianBlur)
    // One channel: no grayscale; jitter keeps brightness and contrast.
    let gray = AugmentationPreset.simclr.makeChain(size: 28, channels: 1)
    #expect(gray.entries.map(\.probability) == [1, 0.5, 0.8, 0.5])
    #expect((gray.entries[2].op as? ColorJitter) == ColorJitter(brightness: 0.8, contrast: 0.8))
  }

  @Test func mocoAndBYOLPresets() {
    let moco = AugmentationPreset.make("moco_v2", size: 32, channels: 3)!
    #expect(moco.entries.map(\.probability) == [1, 0.8, 0.2, 0.5, 0.5])
    #expect((moco.entries[0].op as? RandomResizedCrop)?.scale == 0.2...1)
    #expect(moco.entries[4].op is HorizontalFlip)
    let view1 = AugmentationPreset.make("byol_view1", size: 32, channels: 3)!
    let view2 = AugmentationPreset.make("byol_view2", size: 32, channels: 3)!
    #expect(view1.entries.map(\.probability) == [1, 0.5, 0.8, 0.2, 1.0, 0.0])
    #expect(view2.entries.map(\.probability) == [1, 0.5, 0.8, 0.2, 0.1, 0.2])
    #expect(
      (view2.entries[2].op as? ColorJitter) == ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1))
    #expect((view2.entries[5].op as? Solarize) == Solarize(threshold: 0.5))
    #expect(AugmentationPreset.make("simclr2", size: 32, channels: 3) == nil)
  }

  @Test func presetsProduceTheirSizeAndUnitRange() {
    let image = TestImages.random(channels: 3, height: 32, width: 32, seed: 1)
    for preset in AugmentationPreset.allCases {
      let chain = preset.makeChain(size: 24, channels: 3)
      #expect(chain.outputShape(for: [3, 32, 32]) == [3, 24, 24])
      for key in TestImages.keys(10) {
        let out = chain.apply(image, key: key)
        #expect(out.shape == [3, 24, 24])
        #expect(out.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
      }
    }
    let normalized = AugmentationPreset.simclr.makeChain(
      size: 8, channels: 1, normalize: Normalize(mean: [0.5], std: [0.5]))
    #expect(normalized.entries.last?.op is Normalize)
  }

  @Test func multiCropHasGlobalAndLocalViews() {
    let views = AugmentationPreset.simclr.makeMultiCrop(globalSize: 28, localSize: 14, localCount: 4, channels: 1)
    #expect(
      views.map { $0.outputShape(for: [1, 28, 28]) } == [[1, 28, 28], [1, 28, 28]]
        + Array(repeating: [1, 14, 14], count: 4))
    #expect((views[2].entries[0].op as? RandomResizedCrop)?.scale == 0.05...0.14)
  }
}
