import SiamStore
import Testing

@Suite struct ParameterComparisonTests {
  @Test func keysDifferByValueOrPresence() {
    let comparison = ParameterComparison(params: [
      ["seed": "7", "lr": "0.1", "name": "\"a\""],
      ["seed": "7", "lr": "0.2"],
      ["seed": "7", "lr": "0.1", "name": "\"a\""],
    ])
    #expect(comparison.differingKeys() == ["lr", "name"])
    #expect(comparison.differingKeys(excluding: ["lr"]) == ["name"])
    #expect(ParameterComparison(params: [["a": "1"], ["a": "1"]]).differingKeys().isEmpty)
  }

  @Test func plainTextAndShortKeys() {
    #expect(ParameterComparison.plain("\"sgd\"") == "sgd")
    #expect(ParameterComparison.plain("\"a\\\"b\"") == "\"a\\\"b\"")  // escapes stay JSON
    #expect(ParameterComparison.plain("[1,2]") == "[1,2]")
    #expect(ParameterComparison.shortKey("stages.pretrain.method.temperature") == "method.temperature")
    #expect(ParameterComparison.shortKey("seed") == "seed")
  }

  /// Sample standard deviation: for 1, 2, 3, 4 the mean is 2.5 and the variance
  /// (1.5² + 0.5² + 0.5² + 1.5²) / 3 = 5/3.
  @Test func meanAndSampleDeviation() throws {
    let (mean, deviation) = try #require(ParameterComparison.meanAndDeviation([1, 2, 3, 4]))
    #expect(mean == 2.5)
    #expect(abs(deviation - (5.0 / 3).squareRoot()) < 1e-12)
    #expect(ParameterComparison.meanAndDeviation([0.5])! == (0.5, 0))
    #expect(ParameterComparison.meanAndDeviation([]) == nil)
  }
}
