import Dispatch
import Synchronization

/// Time spent inside Siam's direct convolution kernels, per kernel and shape, summed over
/// calls and threads (for `siam bench --kernel-times`).
///
/// A step's speed depends on where it runs as much as on what it computes: the same
/// kernel on the same shape ran up to 25 % slower inside a training step than in the
/// kernel harness on data resident in L3 (BENCHMARKS.md). This recorder measures the second number
/// directly, so that a kernel can be judged where it runs. Off unless `start()` was
/// called; when off, each kernel call pays one relaxed atomic load.
public enum KernelTimes {
  /// Which direct kernel.
  public enum Kernel: String, Sendable, CaseIterable {
    case forward
    case backwardData = "backward_data"
    case backwardWeights = "backward_weights"
  }

  /// The totals of one kernel on one shape. Encodes (for `siam bench --json`) its kernel,
  /// shape, calls, images, seconds and `gflops_per_core`.
  public struct Entry: Sendable, Equatable, Encodable {
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

    /// No calls yet of `kernel` on `layer`.
    init(_ kernel: Kernel, _ layer: OneDNNConvShape) {
      let s = layer
      self.init(
        kernel: kernel,
        shape: "\(s.channels)→\(s.filters) \(s.height)×\(s.width) k\(s.kernel) s\(s.stride) p\(s.padding)",
        calls: 0, images: 0, seconds: 0, flops: 0)
    }

    mutating func add(images: Int, seconds: Double, flops: Double) {
      calls += 1
      self.images += images
      self.seconds += seconds
      self.flops += flops
    }

    /// GFLOP/s of one core while it runs this kernel.
    public var gflopsPerCore: Double { seconds > 0 ? flops / seconds / 1e9 : 0 }

    private enum CodingKeys: String, CodingKey {
      case kernel, shape, calls, images, seconds
      case gflopsPerCore = "gflops_per_core"
    }

    public func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: CodingKeys.self)
      try c.encode(kernel.rawValue, forKey: .kernel)
      try c.encode(shape, forKey: .shape)
      try c.encode(calls, forKey: .calls)
      try c.encode(images, forKey: .images)
      try c.encode(seconds, forKey: .seconds)
      try c.encode(gflopsPerCore, forKey: .gflopsPerCore)
    }
  }

  /// The totals so far, and the shapes in the order they first ran. A shape is keyed
  /// without its chunk size, so one layer stays one row whatever its chunks.
  private struct Totals {
    var shapes: [OneDNNConvShape] = []
    var entries: [OneDNNConvShape: [Kernel: Entry]] = [:]
  }

  private static let isOn = Atomic<Bool>(false)
  private static let totals = Mutex(Totals())

  /// Clears the totals and starts recording.
  public static func start() {
    totals.withLock { $0 = Totals() }
    isOn.store(true, ordering: .relaxed)
  }

  /// Stops recording and returns the totals: shapes in the order they first ran (a
  /// network's layers in order), each shape's kernels forward, backward data, backward
  /// weights.
  @discardableResult
  public static func stop() -> [Entry] {
    isOn.store(false, ordering: .relaxed)
    return totals.withLock { totals in
      totals.shapes.flatMap { shape in Kernel.allCases.compactMap { totals.entries[shape]?[$0] } }
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
    var layer = shape
    layer.batch = 0
    let taps = layer.channels * layer.kernel * layer.kernel
    let flops = 2.0 * Double(images * layer.filters * layer.outHeight * layer.outWidth * taps)
    totals.withLock { totals in
      if totals.entries[layer] == nil { totals.shapes.append(layer) }
      totals.entries[layer, default: [:]][kernel, default: Entry(kernel, layer)].add(
        images: images, seconds: seconds, flops: flops)
    }
  }
}
