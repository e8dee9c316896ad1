import SiamTensor
import Testing
import _SiamTestSupport

@testable import SiamData

@Suite struct ColorTests {
  @Test func grayscaleUsesBT601WeightsAndKeepsChannels() {
    let rgb = Image(channels: 3, height: 1, width: 2, pixels: [1, 0, 0, 1, 0, 0])
    let out = Grayscale().apply(rgb, key: RandomKey(seed: 0))
    #expect(out.shape == [3, 1, 2])
    expectClose(out.pixels.map(Double.init), [0.299, 0.587, 0.299, 0.587, 0.299, 0.587], absolute: 1e-6)
    let gray = TestImages.random(channels: 1, height: 3, width: 3, seed: 1)
    #expect(Grayscale().apply(gray, key: RandomKey(seed: 0)) == gray)
  }

  @Test func jitterFactorsStayInTheirRanges() {
    let jitter = ColorJitter(brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2)
    var lows: [Float] = [9, 9, 9, 9]
    var highs: [Float] = [-9, -9, -9, -9]
    var orders = Set<[Int]>()
    var brightnessSum: Float = 0
    for key in TestImages.keys(10_000, seed: 4) {
      let f = jitter.factors(key: key)
      let values = [f.brightness, f.contrast, f.saturation, f.hue]
      for i in 0..<4 {
        lows[i] = min(lows[i], values[i])
        highs[i] = max(highs[i], values[i])
      }
      brightnessSum += f.brightness
      orders.insert(f.order.map(\.rawValue))
      #expect(f.order.map(\.rawValue).sorted() == [0, 1, 2, 3])
    }
    for i in 0..<3 {
      #expect(
        lows[i] >= 0.2 && lows[i] < 0.21 && highs[i] < 1.8 && highs[i] > 1.79, "factor \(i): \(lows[i])...\(highs[i])")
    }
    #expect(lows[3] >= -0.2 && lows[3] < -0.19 && highs[3] < 0.2 && highs[3] > 0.19)
    #expect(abs(brightnessSum / 10_000 - 1) < 0.02)
    #expect(orders.count == 24)
    // A strength above 1 starts at 0, not below.
    let strong = ColorJitter(brightness: 1.5)
    #expect(TestImages.keys(1000).allSatisfy { strong.factors(key: $0).brightness >= 0 })
  }

  @Test func brightnessAndContrastOnGrayImages() {
    let image = Image(channels: 1, height: 1, width: 4, pixels: [0, 0.25, 0.5, 1])
    let key = RandomKey(seed: 8)
    let brightness = ColorJitter(brightness: 0.5)
    let b = brightness.factors(key: key).brightness
    expectClose(
      brightness.apply(image, key: key).pixels.map(Double.init),
      image.pixels.map { Double(min(max($0 * b, 0), 1)) }, absolute: 1e-6)
    let contrast = ColorJitter(contrast: 0.5)
    let c = contrast.factors(key: key).contrast
    let mean: Float = 0.4375
    expectClose(
      contrast.apply(image, key: key).pixels.map(Double.init),
      image.pixels.map { Double(min(max(c * $0 + (1 - c) * mean, 0), 1)) }, absolute: 1e-6)
    // Saturation and hue do nothing on one channel.
    #expect(ColorJitter(saturation: 0.9, hue: 0.5).apply(image, key: key) == image)
  }

  @Test func saturationBlendsWithLuma() {
    let image = TestImages.random(channels: 3, height: 2, width: 2, seed: 5)
    let op = ColorJitter(saturation: 0.8)
    for key in TestImages.keys(5) {
      let s = op.factors(key: key).saturation
      let out = op.apply(image, key: key)
      for i in 0..<4 {
        let gray = 0.299 * image.pixels[i] + 0.587 * image.pixels[4 + i] + 0.114 * image.pixels[8 + i]
        for c in 0..<3 {
          let expected = min(max(s * image.pixels[4 * c + i] + (1 - s) * gray, 0), 1)
          #expect(abs(out.pixels[4 * c + i] - expected) < 1e-5)
        }
      }
    }
  }

  @Test func hueShiftRotatesPrimaries() {
    // Red (h = 0) shifted by 1/3 turn is green, by −1/3 is blue.
    var (r, g, b) = ColorJitter.hsvToRGB(1.0 / 3, 1, 1)
    #expect(abs(r) < 1e-5 && abs(g - 1) < 1e-5 && abs(b) < 1e-5)
    (r, g, b) = ColorJitter.hsvToRGB(2.0 / 3, 1, 1)
    #expect(abs(r) < 1e-5 && abs(g) < 1e-5 && abs(b - 1) < 1e-5)
    let (h, s, v) = ColorJitter.rgbToHSV(0.2, 0.4, 0.8)  // max blue: h = (4 + gc − rc) / 6
    #expect(abs(h - (4 + 0.4 / 0.6 - 1) / 6) < 1e-6 && abs(s - 0.75) < 1e-6 && v == 0.8)
  }

  @Test func hsvRoundTripAndZeroShiftAreIdentity() {
    let image = TestImages.random(channels: 3, height: 4, width: 4, seed: 6)
    for i in 0..<16 {
      let (h, s, v) = ColorJitter.rgbToHSV(image.pixels[i], image.pixels[16 + i], image.pixels[32 + i])
      let (r, g, b) = ColorJitter.hsvToRGB(h, s, v)
      #expect(
        abs(r - image.pixels[i]) < 1e-5 && abs(g - image.pixels[16 + i]) < 1e-5 && abs(b - image.pixels[32 + i]) < 1e-5)
    }
    // Hue only, tiny range: the image barely changes and stays in [0, 1].
    let out = ColorJitter(hue: 1e-6).apply(image, key: RandomKey(seed: 1))
    expectClose(out.pixels.map(Double.init), image.pixels.map(Double.init), absolute: 1e-4)
  }

  @Test func jitterKeepsValuesInUnitRange() {
    let image = TestImages.random(channels: 3, height: 5, width: 5, seed: 7)
    let op = ColorJitter(brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2)
    for key in TestImages.keys(50) {
      #expect(op.apply(image, key: key).pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
  }
}
