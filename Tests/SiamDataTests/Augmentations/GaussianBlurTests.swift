import Foundation
import SiamTensor
import Testing
import _SiamTestSupport

@testable import SiamData

@Suite struct GaussianBlurTests {
  /// Naive 2-D convolution with the outer-product kernel and reflect padding.
  func blurReference(_ image: Image, kernel: [Float]) -> Image {
    var out = image
    let r = kernel.count / 2
    for c in 0..<image.channels {
      for y in 0..<image.height {
        for x in 0..<image.width {
          var sum: Double = 0
          for dy in -r...r {
            for dx in -r...r {
              let sy = GaussianBlur.reflect(y + dy, count: image.height)
              let sx = GaussianBlur.reflect(x + dx, count: image.width)
              sum += Double(kernel[dy + r] * kernel[dx + r]) * Double(image[c, sy, sx])
            }
          }
          out[c, y, x] = Float(sum)
        }
      }
    }
    return out
  }

  @Test func kernelMatchesTorchvision() {
    let k = GaussianBlur.kernel(taps: 3, sigma: 1)
    let e = Double(expf(-0.5))
    expectClose(k.map(Double.init), [e / (1 + 2 * e), 1 / (1 + 2 * e), e / (1 + 2 * e)], absolute: 1e-7)
    #expect(GaussianBlur.kernel(taps: 3, sigma: 1e-3) == [0, 1, 0])
  }

  @Test func kernelSizeFollowsSimCLRFraction() {
    let blur = GaussianBlur(kernelSize: .fractionOfSide(0.1))
    #expect(blur.taps(height: 28, width: 28) == 3)
    #expect(blur.taps(height: 32, width: 32) == 3)
    #expect(blur.taps(height: 14, width: 14) == 3)
    #expect(blur.taps(height: 224, width: 224) == 23)
    #expect(blur.taps(height: 64, width: 40) == 5)
    #expect(GaussianBlur(kernelSize: .fixed(7)).taps(height: 28, width: 28) == 7)
  }

  @Test func reflectPaddingMirrorsWithoutRepeatingTheEdge() {
    #expect(GaussianBlur.reflect(-1, count: 4) == 1)
    #expect(GaussianBlur.reflect(-2, count: 4) == 2)
    #expect(GaussianBlur.reflect(4, count: 4) == 2)
    #expect(GaussianBlur.reflect(5, count: 4) == 1)
    #expect(GaussianBlur.reflect(-3, count: 2) == 1)
    #expect(GaussianBlur.reflect(7, count: 1) == 0)
  }

  @Test func deltaAtCornerSpreadsByKernelWithReflection() {
    var image = Image(channels: 1, height: 3, width: 3, repeating: 0)
    image[0, 0, 0] = 1
    let k = GaussianBlur.kernel(taps: 3, sigma: 1)
    let out = GaussianBlur.blurred(image, kernel: k)
    // Row 0 after the horizontal pass: [k1, k0, 0] (x[−1] reflects to x[1] = 0).
    let expected: [Float] = [k[1] * k[1], k[0] * k[1], 0, k[1] * k[0], k[0] * k[0], 0, 0, 0, 0]
    expectClose(out.pixels.map(Double.init), expected.map(Double.init), absolute: 1e-6)
  }

  @Test func separableBlurMatchesNaive2DConvolution() {
    let image = TestImages.random(channels: 3, height: 7, width: 9, seed: 3)
    for (taps, sigma) in [(3, Float(0.7)), (5, 1.5), (9, 2.0)] {
      let k = GaussianBlur.kernel(taps: taps, sigma: sigma)
      expectClose(
        GaussianBlur.blurred(image, kernel: k).pixels.map(Double.init),
        blurReference(image, kernel: k).pixels.map(Double.init), absolute: 1e-5)
    }
  }

  @Test func tinySigmaIsIdentityAndConstantsStayConstant() {
    let image = TestImages.random(channels: 1, height: 6, width: 6, seed: 4)
    let sharp = GaussianBlur(kernelSize: .fixed(3), sigma: 0.001...0.001)
    #expect(sharp.apply(image, key: RandomKey(seed: 1)) == image)
    let flat = Image(channels: 2, height: 5, width: 4, repeating: 0.3)
    let out = GaussianBlur(kernelSize: .fixed(5), sigma: 2...2).apply(flat, key: RandomKey(seed: 1))
    expectClose(out.pixels.map(Double.init), flat.pixels.map(Double.init), absolute: 1e-6)
    // A kernel wider than the image still works (reflection repeats).
    _ = GaussianBlur(kernelSize: .fixed(9), sigma: 1...1).apply(
      Image(channels: 1, height: 2, width: 2, repeating: 1), key: RandomKey(seed: 0))
  }

  @Test func sigmaIsDrawnFromItsRange() {
    let blur = GaussianBlur(sigma: 0.1...2)
    let sigmas = TestImages.keys(2000).map { blur.drawnSigma(key: $0) }
    #expect(sigmas.allSatisfy { $0 >= 0.1 && $0 < 2 })
    let mean = sigmas.reduce(0, +) / Float(sigmas.count)
    #expect(abs(mean - 1.05) < 0.05)
  }
}
