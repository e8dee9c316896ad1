import Testing

@testable import SiamReport

@Suite struct AxisScaleTests {
  @Test(arguments: [(1.0, 5, 0.2), (97.0, 5, 20.0), (0.013, 5, 0.002), (7.0, 5, 1.0), (3000.0, 4, 1000.0)])
  func niceStepsAreOneTwoOrFiveTimesAPowerOfTen(span: Double, count: Int, step: Double) {
    #expect(abs(AxisScale.niceStep(span: span, count: count) - step) < step * 1e-9)
  }

  @Test func linearTicksCoverTheNicenedDomain() {
    let scale = AxisScale(lower: 0.03, upper: 0.97, start: 0, end: 100).nicened()
    #expect(scale.lower == 0 && scale.upper == 1)
    let ticks = scale.ticks()
    #expect(ticks.count == 6)
    #expect(zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(ticks.map { scale.label($0, ticks: ticks) } == ["0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test func negativeAndLargeDomains() {
    let scale = AxisScale(lower: -3.2, upper: 7.9, start: 0, end: 1).nicened()
    #expect(scale.lower == -4 && scale.upper == 8)
    let ticks = AxisScale.linearTicks(lower: 0, upper: 12_000, count: 5)
    #expect(ticks == [0, 2000, 4000, 6000, 8000, 10000, 12000])
    #expect(AxisScale(lower: 0, upper: 12_000, start: 0, end: 1).label(4000, ticks: ticks) == "4000")
  }

  @Test func logTicksArePowersOfTenAndTheirMultiplesForShortSpans() {
    let wide = AxisScale(kind: .log, lower: 1e-5, upper: 1, start: 0, end: 1)
    #expect(wide.ticks() == [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1])
    #expect(wide.label(1e-5, ticks: wide.ticks()) == "1e-5")
    #expect(wide.label(0.01, ticks: wide.ticks()) == "0.01")
    let narrow = AxisScale(kind: .log, lower: 0.1, upper: 3, start: 0, end: 1)
    #expect(narrow.ticks() == [0.1, 0.2, 0.5, 1, 2])
    #expect(AxisScale(kind: .log, lower: 0.3, upper: 70, start: 0, end: 1).nicened().lower == 0.1)
  }

  @Test func positionsMapLinearlyAndLogarithmically() {
    let linear = AxisScale(lower: 0, upper: 10, start: 100, end: 0)
    #expect(linear.position(0) == 100 && linear.position(10) == 0 && linear.position(2.5) == 75)
    let log = AxisScale(kind: .log, lower: 1, upper: 100, start: 0, end: 200)
    #expect(abs(log.position(10) - 100) < 1e-9)
  }

  @Test func degenerateDomainsAreWidened() {
    let flat = AxisScale(lower: 5, upper: 5, start: 0, end: 1)
    #expect(flat.lower < 5 && flat.upper > 5)
    let zero = AxisScale(lower: 0, upper: 0, start: 0, end: 1)
    #expect(zero.lower == -1 && zero.upper == 1)
  }
}
