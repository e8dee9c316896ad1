import SiamNN
import Testing
import _SiamTestSupport

@Test func warmupThenCosineAtKnownSteps() {
  let schedule = WarmupCosineSchedule(baseValue: 1, warmupSteps: 10, totalSteps: 110, finalValue: 0.01)
  let steps = [0, 5, 10, 35, 60, 85, 110, 200]
  // Warmup: k/10. Cosine: 0.01 + 0.99·(1 + cos(π(k − 10)/100))/2, e.g. k = 35: cos(π/4).
  let expected = [
    0, 0.5, 1, 0.01 + 0.99 * (1 + 0.5.squareRoot()) / 2, 0.505, 0.01 + 0.99 * (1 - 0.5.squareRoot()) / 2, 0.01, 0.01,
  ]
  expectClose(steps.map { Double(schedule.value(atStep: $0)) }, expected, absolute: 1e-7, relative: 1e-6)
  let started = WarmupCosineSchedule(baseValue: 0.3, warmupSteps: 4, totalSteps: 8, warmupStartValue: 0.1)
  expectClose(
    [0, 2, 4, 8].map { Double(started.value(atStep: $0)) }, [0.1, 0.2, 0.3, 0], absolute: 1e-7, relative: 1e-6)
  let noWarmup = WarmupCosineSchedule(baseValue: 2, warmupSteps: 0, totalSteps: 4)
  expectClose([0, 2, 4].map { Double(noWarmup.value(atStep: $0)) }, [2, 1, 0], absolute: 1e-7, relative: 1e-6)
}
