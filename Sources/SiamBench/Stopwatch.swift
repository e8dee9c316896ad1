import Dispatch

/// Wall-clock timing for benchmarks: warm-up runs, then the median of timed trials.
public enum Stopwatch {
  /// Seconds one call of `body` takes.
  public static func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// The median over `trials` timed calls of `body`, after `warmup` untimed calls.
  public static func medianSeconds(trials: Int, warmup: Int = 1, _ body: () -> Void) -> Double {
    precondition(trials >= 1, "need at least one trial")
    for _ in 0..<warmup { body() }
    return median((0..<trials).map { _ in seconds(body) })
  }

  /// The median of `values` (mean of the middle two for an even count).
  public static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }
}
