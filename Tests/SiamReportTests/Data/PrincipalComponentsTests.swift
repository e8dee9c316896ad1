import Testing

@testable import SiamReport

@Suite struct PrincipalComponentsTests {
  @Test func findsTheDirectionOfLargestVarianceFirst() {
    // Points spread along (1, 1, 0) with a little noise along (1, −1, 0), none along z.
    var features: [Float] = []
    for i in 0..<50 {
      let t = Float(i - 25) / 5
      let s = Float(i % 5 - 2) / 20
      features += [t + s, t - s, 0]
    }
    let pca = PrincipalComponents(features: features, rows: 50, columns: 3)
    #expect(pca.variances[0] > 100 * pca.variances[1])
    #expect(pca.explainedFraction(0) > 0.99)
    // The first coordinate is the position along the line (up to scale: √2 · t).
    let first = (0..<50).map { pca.projected[2 * $0] }
    #expect(abs(first[49] - first[0] - 2.0.squareRoot() * 49 / 5) < 1e-3)
    // Centred.
    #expect(abs(first.reduce(0, +)) < 1e-9)
  }

  @Test func handlesConstantFeatures() {
    let pca = PrincipalComponents(features: [Float](repeating: 1, count: 12), rows: 4, columns: 3)
    #expect(pca.projected.allSatisfy { $0 == 0 })
    #expect(pca.explainedFraction(0) == 0)
  }
}
