import CDNNL
import Foundation

// The one file that calls oneDNN (Debian's libdnnl 2.6, C API with operation descriptors;
// 3.x renamed these calls, so a port touches this file only).
//
// What Siam uses: direct convolutions (forward, backward data, backward weights) between
// activations in oneDNN's blocked layout `nChw8c` (see `BlockedLayout`), and reorders of
// weights between PyTorch's `OIHW` and the layout each convolution chose.
//
// Threads and determinism: every call runs on one fixed chunk of images with one OpenMP
// thread (`omp_set_num_threads(1)` on the calling thread, before creating a primitive and
// before running one), and Siam spreads the chunks over its own threads with
// `Parallel.forEach`. A chunk's arithmetic then never depends on how many threads run, so
// results are bit-identical for any thread count (oneDNN's own multi-threaded weight
// gradient splits the batch by thread count and is not). Primitives are created once per
// shape and cached; each call passes its own scratchpad (`dnnl_scratchpad_mode_user`), so
// one primitive runs on several threads at once.

/// A convolution's shape as oneDNN primitives are created for it.
struct OneDNNConvShape: Hashable, Sendable {
  var batch: Int, channels: Int, height: Int, width: Int
  var filters: Int, kernel: Int, stride: Int, padding: Int
  /// The source is plain `NCHW` (a first layer) instead of `nChw8c`.
  var plainSource: Bool

  var outHeight: Int { (height + 2 * padding - kernel) / stride + 1 }
  var outWidth: Int { (width + 2 * padding - kernel) / stride + 1 }
}

/// The primitives of one convolution shape (forward, backward data, backward weights) and
/// the weight reorders around them.
final class OneDNNConvolution: @unchecked Sendable {
  let shape: OneDNNConvShape
  private let engine: dnnl_engine_t
  private var sourceDesc = dnnl_memory_desc_t(), destinationDesc = dnnl_memory_desc_t()
  private var plainWeightsDesc = dnnl_memory_desc_t()
  private var forwardWeightsDesc = dnnl_memory_desc_t(), dataWeightsDesc = dnnl_memory_desc_t()
  private var diffWeightsDesc = dnnl_memory_desc_t()
  private let forward: dnnl_primitive_t, backwardData: dnnl_primitive_t?, backwardWeights: dnnl_primitive_t?
  private let forwardScratch: Int, dataScratch: Int, weightsScratch: Int
  private let toForwardWeights: dnnl_primitive_t, toDataWeights: dnnl_primitive_t?
  private let fromDiffWeights: dnnl_primitive_t?

  /// Elements of the weights in the layout forward uses (and of a weight gradient in the
  /// layout backward-weights writes).
  let forwardWeightsCount: Int, diffWeightsCount: Int
  /// Whether backward data needs weights in a layout of its own.
  var dataWeightsDiffer: Bool { toDataWeights != nil }
  let dataWeightsCount: Int
  /// oneDNN's implementation names (`jit:avx2`, ...), for diagnostics and tests.
  let implementations: [String]

  /// Creates the primitives, or returns nil when oneDNN has no fast kernel for a pass it
  /// needs (then the caller uses another path).
  init?(_ shape: OneDNNConvShape, engine: dnnl_engine_t) {
    self.shape = shape
    self.engine = engine
    omp_set_num_threads(1)
    let s = shape
    var sourceDims: [Int64] = [s.batch, s.channels, s.height, s.width].map(Int64.init)
    var destinationDims: [Int64] = [s.batch, s.filters, s.outHeight, s.outWidth].map(Int64.init)
    var weightDims: [Int64] = [s.filters, s.channels, s.kernel, s.kernel].map(Int64.init)
    var strides: [Int64] = [Int64(s.stride), Int64(s.stride)]
    var padding: [Int64] = [Int64(s.padding), Int64(s.padding)]
    var anyWeights = dnnl_memory_desc_t()
    guard
      dnnl_memory_desc_init_by_tag(&sourceDesc, 4, &sourceDims, dnnl_f32, s.plainSource ? dnnl_nchw : dnnl_nChw8c)
        == dnnl_success,
      dnnl_memory_desc_init_by_tag(&destinationDesc, 4, &destinationDims, dnnl_f32, dnnl_nChw8c) == dnnl_success,
      dnnl_memory_desc_init_by_tag(&plainWeightsDesc, 4, &weightDims, dnnl_f32, dnnl_oihw) == dnnl_success,
      dnnl_memory_desc_init_by_tag(&anyWeights, 4, &weightDims, dnnl_f32, dnnl_format_tag_any) == dnnl_success
    else { return nil }

    var attributes: dnnl_primitive_attr_t?
    guard dnnl_primitive_attr_create(&attributes) == dnnl_success else { return nil }
    defer { dnnl_primitive_attr_destroy(attributes) }
    dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user)

    var names: [String] = []
    func make(_ descriptor: UnsafeRawPointer, hint: dnnl_primitive_desc_t?) -> dnnl_primitive_desc_t? {
      var pd: dnnl_primitive_desc_t?
      guard dnnl_primitive_desc_create(&pd, descriptor, attributes, engine, hint) == dnnl_success, let pd else {
        return nil
      }
      var name: UnsafePointer<CChar>?
      dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name)
      let implementation = name.map { String(cString: $0) } ?? "?"
      // The reference kernels are scalar C++: slower than Siam's own path.
      guard !implementation.hasPrefix("ref") else {
        dnnl_primitive_desc_destroy(pd)
        return nil
      }
      names.append(implementation)
      return pd
    }
    func scratchBytes(_ pd: dnnl_primitive_desc_t) -> Int {
      dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).map { dnnl_memory_desc_get_size($0) } ?? 0
    }
    func primitive(_ pd: dnnl_primitive_desc_t) -> dnnl_primitive_t? {
      var p: dnnl_primitive_t?
      return dnnl_primitive_create(&p, pd) == dnnl_success ? p : nil
    }

    var forwardDescriptor = dnnl_convolution_desc_t()
    guard
      dnnl_convolution_forward_desc_init(
        &forwardDescriptor, dnnl_forward_training, dnnl_convolution_direct, &sourceDesc, &anyWeights, nil,
        &destinationDesc, &strides, &padding, &padding) == dnnl_success,
      let forwardPD = make(&forwardDescriptor, hint: nil)
    else { return nil }
    defer { dnnl_primitive_desc_destroy(forwardPD) }
    forwardWeightsDesc = dnnl_primitive_desc_query_md(forwardPD, dnnl_query_weights_md, 0).pointee
    forwardScratch = scratchBytes(forwardPD)
    guard let forward = primitive(forwardPD) else { return nil }
    self.forward = forward

    // Backward data (not for a plain-source first layer: its input gradient is never needed).
    var dataPD: dnnl_primitive_desc_t?
    if !s.plainSource {
      var dataDescriptor = dnnl_convolution_desc_t()
      if dnnl_convolution_backward_data_desc_init(
        &dataDescriptor, dnnl_convolution_direct, &sourceDesc, &anyWeights, &destinationDesc, &strides, &padding,
        &padding) == dnnl_success
      {
        dataPD = make(&dataDescriptor, hint: forwardPD)
      }
    }
    defer { if let dataPD { dnnl_primitive_desc_destroy(dataPD) } }
    if let dataPD {
      dataWeightsDesc = dnnl_primitive_desc_query_md(dataPD, dnnl_query_weights_md, 0).pointee
      dataScratch = scratchBytes(dataPD)
      backwardData = primitive(dataPD)
    } else {
      dataScratch = 0
      backwardData = nil
    }

    var weightsDescriptor = dnnl_convolution_desc_t()
    var weightsPD: dnnl_primitive_desc_t?
    if dnnl_convolution_backward_weights_desc_init(
      &weightsDescriptor, dnnl_convolution_direct, &sourceDesc, &anyWeights, nil, &destinationDesc, &strides, &padding,
      &padding) == dnnl_success
    {
      weightsPD = make(&weightsDescriptor, hint: forwardPD)
    }
    defer { if let weightsPD { dnnl_primitive_desc_destroy(weightsPD) } }
    if let weightsPD {
      diffWeightsDesc = dnnl_primitive_desc_query_md(weightsPD, dnnl_query_diff_weights_md, 0).pointee
      weightsScratch = scratchBytes(weightsPD)
      backwardWeights = primitive(weightsPD)
    } else {
      weightsScratch = 0
      backwardWeights = nil
    }

    func reorder(_ from: UnsafePointer<dnnl_memory_desc_t>, _ to: UnsafePointer<dnnl_memory_desc_t>)
      -> dnnl_primitive_t?
    {
      var pd: dnnl_primitive_desc_t?
      guard dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, nil) == dnnl_success, let pd else {
        return nil
      }
      defer { dnnl_primitive_desc_destroy(pd) }
      return primitive(pd)
    }
    guard let toForward = reorder(&plainWeightsDesc, &forwardWeightsDesc) else { return nil }
    toForwardWeights = toForward
    if backwardData != nil, dnnl_memory_desc_equal(&dataWeightsDesc, &forwardWeightsDesc) == 0 {
      toDataWeights = reorder(&plainWeightsDesc, &dataWeightsDesc)
    } else {
      toDataWeights = nil
    }
    fromDiffWeights = backwardWeights == nil ? nil : reorder(&diffWeightsDesc, &plainWeightsDesc)
    forwardWeightsCount = dnnl_memory_desc_get_size(&forwardWeightsDesc) / 4
    dataWeightsCount = toDataWeights == nil ? forwardWeightsCount : dnnl_memory_desc_get_size(&dataWeightsDesc) / 4
    diffWeightsCount = backwardWeights == nil ? 0 : dnnl_memory_desc_get_size(&diffWeightsDesc) / 4
    implementations = names
  }

  deinit {
    let primitives: [dnnl_primitive_t?] = [
      forward, backwardData, backwardWeights, toForwardWeights, toDataWeights, fromDiffWeights,
    ]
    for p in primitives {
      if let p { dnnl_primitive_destroy(p) }
    }
  }

  var hasBackwardData: Bool { backwardData != nil }
  var hasBackwardWeights: Bool { backwardWeights != nil && fromDiffWeights != nil }

  /// `OIHW` weights into the layout forward uses (`forwardWeightsCount` elements), and
  /// into backward data's layout (`dataWeightsCount`) when that differs.
  func reorderWeights(_ plain: UnsafePointer<Float>, forward destination: UnsafeMutablePointer<Float>) {
    run(
      toForwardWeights,
      [
        (DNNL_ARG_FROM, UnsafeMutableRawPointer(mutating: plain), plainWeightsDesc),
        (DNNL_ARG_TO, UnsafeMutableRawPointer(destination), forwardWeightsDesc),
      ], scratch: 0)
  }

  func reorderWeights(_ plain: UnsafePointer<Float>, data destination: UnsafeMutablePointer<Float>) {
    guard let toDataWeights else { return }
    run(
      toDataWeights,
      [
        (DNNL_ARG_FROM, UnsafeMutableRawPointer(mutating: plain), plainWeightsDesc),
        (DNNL_ARG_TO, UnsafeMutableRawPointer(destination), dataWeightsDesc),
      ], scratch: 0)
  }

  /// A weight gradient in backward-weights' layout back to `OIHW`.
  func reorderDiffWeights(_ blocked: UnsafePointer<Float>, to plain: UnsafeMutablePointer<Float>) {
    guard let fromDiffWeights else { return }
    run(
      fromDiffWeights,
      [
        (DNNL_ARG_FROM, UnsafeMutableRawPointer(mutating: blocked), diffWeightsDesc),
        (DNNL_ARG_TO, UnsafeMutableRawPointer(plain), plainWeightsDesc),
      ], scratch: 0)
  }

  /// `destination = conv(source, weights)` for the shape's batch (one chunk).
  func forward(source: UnsafePointer<Float>, weights: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>) {
    run(
      forward,
      [
        (DNNL_ARG_SRC, UnsafeMutableRawPointer(mutating: source), sourceDesc),
        (DNNL_ARG_WEIGHTS, UnsafeMutableRawPointer(mutating: weights), forwardWeightsDesc),
        (DNNL_ARG_DST, UnsafeMutableRawPointer(destination), destinationDesc),
      ], scratch: forwardScratch)
  }

  /// `sourceGradient = convᵀ(destinationGradient, weights)` (weights in backward data's layout).
  func backwardData(
    destinationGradient: UnsafePointer<Float>, weights: UnsafePointer<Float>,
    sourceGradient: UnsafeMutablePointer<Float>
  ) {
    guard let backwardData else { preconditionFailure("oneDNN: no backward-data primitive for \(shape)") }
    run(
      backwardData,
      [
        (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(mutating: destinationGradient), destinationDesc),
        (
          DNNL_ARG_WEIGHTS, UnsafeMutableRawPointer(mutating: weights),
          toDataWeights == nil ? forwardWeightsDesc : dataWeightsDesc
        ),
        (DNNL_ARG_DIFF_SRC, UnsafeMutableRawPointer(sourceGradient), sourceDesc),
      ], scratch: dataScratch)
  }

  /// `weightsGradient = Σ_images destinationGradient ⋆ source`, in backward-weights' layout.
  func backwardWeights(
    source: UnsafePointer<Float>, destinationGradient: UnsafePointer<Float>,
    weightsGradient: UnsafeMutablePointer<Float>
  ) {
    guard let backwardWeights else { preconditionFailure("oneDNN: no backward-weights primitive for \(shape)") }
    run(
      backwardWeights,
      [
        (DNNL_ARG_SRC, UnsafeMutableRawPointer(mutating: source), sourceDesc),
        (DNNL_ARG_DIFF_DST, UnsafeMutableRawPointer(mutating: destinationGradient), destinationDesc),
        (DNNL_ARG_DIFF_WEIGHTS, UnsafeMutableRawPointer(weightsGradient), diffWeightsDesc),
      ],
      scratch: weightsScratch)
  }

  /// Runs `primitive` on the calling thread with one OpenMP thread and its own stream and
  /// scratchpad.
  private func run(
    _ primitive: dnnl_primitive_t, _ arguments: [(Int32, UnsafeMutableRawPointer, dnnl_memory_desc_t)], scratch: Int
  ) {
    omp_set_num_threads(1)
    var stream: dnnl_stream_t?
    precondition(
      dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue) == dnnl_success,
      "oneDNN: cannot create a stream")
    defer { dnnl_stream_destroy(stream) }
    // From the engine's buffer pool: a fresh allocation per call would be mapped and
    // zeroed by the kernel each time (backward weights' scratchpad is megabytes).
    let scratchStorage = scratch > 0 ? TensorStorage(uninitializedCount: (scratch + 3) / 4) : nil
    let scratchpad = scratchStorage.map { UnsafeMutableRawPointer($0.base) }
    defer { withExtendedLifetime(scratchStorage) {} }
    var memories: [dnnl_memory_t?] = []
    defer { for m in memories { dnnl_memory_destroy(m) } }
    var executionArguments: [dnnl_exec_arg_t] = []
    var all = arguments
    if let scratchpad {
      var scratchDesc = dnnl_memory_desc_t()
      var dims: [Int64] = [Int64(scratch)]
      dnnl_memory_desc_init_by_tag(&scratchDesc, 1, &dims, dnnl_u8, dnnl_a)
      all.append((DNNL_ARG_SCRATCHPAD, scratchpad, scratchDesc))
    }
    for (argument, pointer, descriptor) in all {
      var memory: dnnl_memory_t?
      var d = descriptor
      precondition(dnnl_memory_create(&memory, &d, engine, pointer) == dnnl_success, "oneDNN: cannot wrap a buffer")
      memories.append(memory)
      executionArguments.append(dnnl_exec_arg_t(arg: argument, memory: memory))
    }
    let status = dnnl_primitive_execute(primitive, stream, Int32(executionArguments.count), &executionArguments)
    precondition(status == dnnl_success, "oneDNN: a primitive failed (status \(status.rawValue)) for \(shape)")
    dnnl_stream_wait(stream)
  }
}

/// The process's oneDNN engine and the cache of convolution primitives.
public enum OneDNN {
  private final class State: @unchecked Sendable {
    let lock = NSLock()
    let engine: dnnl_engine_t?
    var convolutions: [OneDNNConvShape: OneDNNConvolution?] = [:]
    let isSwitchedOff = ProcessInfo.processInfo.environment["SIAM_ONEDNN"] == "0"

    init() {
      var engine: dnnl_engine_t?
      self.engine = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success ? engine : nil
    }
  }
  private static let state = State()

  /// Whether oneDNN's CPU engine could be created and is not switched off with
  /// `SIAM_ONEDNN=0` (which runs every network layer by layer, for comparisons).
  static var isAvailable: Bool { state.engine != nil && !state.isSwitchedOff }

  /// One line for `siam info`: the library's version and which stages of the fused
  /// convolution stacks use it.
  public static var summary: String {
    let v = dnnl_version().pointee
    let version =
      "oneDNN \(v.major).\(v.minor).\(v.patch) (\(v.cpu_runtime == UInt32(DNNL_RUNTIME_OMP) ? "OpenMP" : "other CPU runtime"))"
    guard state.engine != nil else { return "\(version): no CPU engine; every network runs layer by layer" }
    return state.isSwitchedOff
      ? "\(version): switched off by SIAM_ONEDNN=0; every network runs layer by layer"
      : DirectConvolution.isEnabled
        ? "\(version) for the first stage of convolution stacks (convnet), Siam's direct AVX2 kernels for the others; one 16-image chunk per call and thread"
        : "\(version) for every stage of convolution stacks (convnet)\(DirectConvolution.isAvailable ? ", Siam's direct kernels switched off by SIAM_DIRECT_CONV=0" : ": this CPU has no AVX2 + FMA for Siam's direct kernels"); one 16-image chunk per call and thread"
  }

  /// The primitives for `shape`, created on first use; nil when oneDNN cannot run it fast.
  static func convolution(_ shape: OneDNNConvShape) -> OneDNNConvolution? {
    guard let engine = state.engine else { return nil }
    return state.lock.withLock {
      if let cached = state.convolutions[shape] { return cached }
      let made = OneDNNConvolution(shape, engine: engine)
      state.convolutions[shape] = .some(made)
      return made
    }
  }
}
