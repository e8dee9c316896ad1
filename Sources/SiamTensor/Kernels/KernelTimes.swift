import Dispatch
import Synchronization

/// Time spent inside Siam's direct convolution kernels, per kernel and shape, summed over
/// calls and threads (for `siam bench --kernel-times`).
///
/// A step's speed depends on where it runs as much as on what it computes: the same
/// kernel on the same shape ran at 90–100 GFLOP/s a core on data resident in L3 and at
/// 70–75 inside a training step (BENCHMARKS.md). This recorder measures the second number
/// directly, so that a kernel can be judged where it runs. Off unless `start()` was
/// called; when off, each kernel call pays one relaxed atomic load.
public enum KernelTimes {
  /// Which direct kernel.
  public enum Kernel: String, Sendable, Comparable {
    case forward
    case backwardData = "backward_data"
    case backwardWeights = "backward_weights"

    public static func < (a: Kernel, b: Kernel) -> Bool { a.order < b.order }
    private var order: Int {
      switch self {
      case .forward: 0
      case .backwardData: 1
      case .backwardWeights: 2
      }
    }
  }

  /// The totals of one kernel on one shape.
  public struct Entry: Sendable, Equatable {
    public var kernel: Kernel
    /// `"C→F H×W kK sS pP"`.
    public var shape: String
    public var calls: Int
    public var images: Int
    /// Seconds inside the kernel, summed over the threads that ran it.
    public var seconds: Double
    /// Multiply-add FLOPs (2 per multiply-add, padding taps included, as the benchmarks count).
    public var flops: Double

    public init(kernel: Kernel, shape: String, calls: Int, images: Int, seconds: Double, flops: Double) {
      self.kernel = kernel
      self.shape = shape
      self.calls = calls
      self.images = images
      self.seconds = seconds
      self.flops = flops
    }

    /// GFLOP/s of one core while it runs this kernel.
    public var gflopsPerCore: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }
  }

  private struct Key: Hashable {
    let kernel: Kernel
    let shape: String
  }

  private static let isOn = Atomic<Bool>(false)
  /// The totals, with the order in which each shape first ran.
  private static let totals = Mutex<[Key: (entry: Entry, first: Int)]>([:])

  /// Clears the totals and starts recording.
  public static func start() {
    totals.withLock { $0 = [:] }
    isOn.store(true, ordering: .relaxed)
  }

  /// Stops recording and returns the totals: shapes in the order they first ran (a
  /// network's layers in order), each shape's kernels forward, backward data, backward
  /// weights.
  @discardableResult
  public static func stop() -> [Entry] {
    isOn.store(false, ordering: .relaxed)
    let values = totals.withLock { Array($0.values) }
    var firstRun: [String: Int] = [:]
    for value in values { firstRun[value.entry.shape] = min(firstRun[value.entry.shape] ?? .max, value.first) }
    return values.map(\.entry).sorted {
      $0.shape != $1.shape ? firstRun[$0.shape]! < firstRun[$1.shape]! : $0.kernel < $1.kernel
    }
  }

  /// The clock reading to pass to `record` (0 when not recording).
  @inline(__always)
  static func begin() -> UInt64 {
    isOn.load(ordering: .relaxed) ? DispatchTime.now().uptimeNanoseconds : 0
  }

  /// Adds one call that began at `start` (from `begin()`; nothing when 0).
  @inline(__always)
  static func record(_ kernel: Kernel, _ shape: OneDNNConvShape, images: Int, since start: UInt64) {
    guard start != 0 else { return }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    let s = shape
    let name = "\(s.channels)→\(s.filters) \(s.height)×\(s.width) k\(s.kernel) s\(s.stride) p\(s.padding)"
    let flops = 2.0 * Double(images * s.filters * s.outHeight * s.outWidth * s.channels * s.kernel * s.kernel)
    totals.withLock { totals in
      let key = Key(kernel: kernel, shape: name)
      var (entry, first) =
        totals[key] ?? (Entry(kernel: kernel, shape: name, calls: 0, images: 0, seconds: 0, flops: 0), totals.count)
      entry.calls += 1
      entry.images += images
      entry.seconds += seconds
      entry.flops += flops
      totals[key] = (entry, first)
    }
  }
}
