import SiamTensor
import Testing
import _SiamTestSupport

@testable import SiamData

@Suite struct CropAndResizeTests {
  let key = RandomKey(seed: 3)

  @Test func bilinearDownscaleOfRampSamplesPixelCentres() {
    // 4×4 ramp 4y + x to 2×2: source points (0.5, 0.5), (0.5, 2.5), (2.5, 0.5), (2.5, 2.5).
    let out = Resize(height: 2, width: 2).apply(TestImages.ramp(height: 4, width: 4), key: key)
    #expect(out.shape == [1, 2, 2])
    expectClose(out.pixels.map(Double.init), [2.5, 4.5, 10.5, 12.5])
  }

  @Test func bilinearUpscaleClampsAtBordersLikePyTorch() {
    // F.interpolate([0, 1], size=4, mode="bilinear", align_corners=False) = [0, .25, .75, 1].
    let image = Image(channels: 1, height: 1, width: 2, pixels: [0, 1])
    let out = Resize(height: 1, width: 4).apply(image, key: key)
    expectClose(out.pixels.map(Double.init), [0, 0.25, 0.75, 1])
    // 3 → 2: sources 0.25 and 1.75.
    let three = Image(channels: 1, height: 1, width: 3, pixels: [0, 1, 2])
    expectClose(Resize(height: 1, width: 2).apply(three, key: key).pixels.map(Double.init), [0.25, 1.75])
  }

  @Test func resizeToSameSizeIsIdentityAndShorterSideKeepsAspect() {
    let image = TestImages.ramp(channels: 3, height: 4, width: 6)
    #expect(Resize(height: 4, width: 6).apply(image, key: key) == image)
    let resize = Resize(.shorterSide(2))
    #expect(resize.outputShape(for: [3, 4, 6]) == [3, 2, 3])
    #expect(resize.apply(image, key: key).shape == [3, 2, 3])
    #expect(resize.outputShape(for: [1, 7, 3]) == [1, 4, 2])
  }

  @Test func centerCropUsesRoundedOffsetsAndPadsWhenLarger() {
    let image = TestImages.ramp(height: 4, width: 4)
    // (4 − 2) / 2 = 1.
    #expect(CenterCrop(size: 2).apply(image, key: key).pixels == [5, 6, 9, 10])
    // (4 − 3) / 2 = 0.5 rounds half to even → 0.
    #expect(CenterCrop(size: 3).apply(image, key: key).pixels == [0, 1, 2, 4, 5, 6, 8, 9, 10])
    // 6×6 from 4×4: one zero row/column on every side.
    let padded = CenterCrop(size: 6).apply(image, key: key)
    #expect(padded[0, 0, 0] == 0 && padded[0, 1, 1] == 0 && padded[0, 4, 4] == 15 && padded[0, 5, 5] == 0)
  }

  @Test func randomCropWithPaddingStaysInsidePaddedImage() {
    let image = TestImages.ramp(height: 4, width: 4, scale: 1)
    let crop = RandomCrop(size: 4, padding: 1)
    var offsets = Set<[Int]>()
    for k in TestImages.keys(400) {
      let out = crop.apply(image, key: k)
      #expect(out.shape == [1, 4, 4])
      // Find the offset: the output is the image shifted by (dy, dx) ∈ {−1, 0, 1}², zeros outside.
      let found = (-1...1).flatMap { dy in (-1...1).map { dx in [dy, dx] } }.first { shift in
        (0..<4).allSatisfy { y in
          (0..<4).allSatisfy { x in
            let (sy, sx) = (y + shift[0], x + shift[1])
            let expected: Float = (0..<4).contains(sy) && (0..<4).contains(sx) ? image[0, sy, sx] : 0
            return out[0, y, x] == expected
          }
        }
      }
      #expect(found != nil)
      if let found { offsets.insert(found) }
    }
    #expect(offsets.count == 9)
    // No padding and the full size: identity.
    #expect(RandomCrop(size: 4).apply(image, key: key) == image)
  }

  @Test func cropOfWindowPartlyOutsideFillsZeros() {
    let image = TestImages.ramp(height: 2, width: 2)
    let out = image.cropped(top: -1, left: 1, height: 2, width: 2)
    #expect(out.pixels == [0, 0, 1, 0])
  }
}
