import COpenBLAS
import Foundation

/// OpenBLAS, opened at run time with the fastest safe kernel set for this CPU.
///
/// Debian's OpenBLAS 0.3.21 picks its kernels (`OPENBLAS_CORETYPE`) once, when the
/// library loads, and autodetects some CPUs as `Prescott` (SSE3, 5–10× slower than the
/// AVX-512 kernels). Linking with `-lopenblas` would run that detection before `main`,
/// so the engine instead chooses the core type from the CPU's features, exports it, and
/// only then `dlopen`s `libopenblas.so.0`. A user's own `OPENBLAS_CORETYPE` always wins.
///
/// The first use multiplies small matrices in all four transpose cases and compares them
/// with `matmulReference`; if OpenBLAS is missing or disagrees, the engine warns once on
/// standard error and falls back to the reference kernel.
public enum BLAS {
  typealias SgemmFunction =
    @convention(c) (
      Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32
    ) -> Void
  typealias SetThreadsFunction = @convention(c) (Int32) -> Void
  /// LAPACK's `dsyevd_` (Fortran calling convention: every argument by address; the two
  /// trailing lengths of the character arguments, which gfortran appends, are passed as 1).
  typealias SymmetricEigenFunction =
    @convention(c) (
      UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
      UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>,
      UnsafeMutablePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int
    ) -> Void
  typealias GetCoreNameFunction = @convention(c) () -> UnsafeMutablePointer<CChar>?

  /// What was loaded and how it was chosen.
  public struct Info: Sendable, Codable, Equatable {
    /// The kernels OpenBLAS runs (`openblas_get_corename()`), or `reference` without OpenBLAS.
    public var coreType: String
    /// `environment` (the user's `OPENBLAS_CORETYPE`), `cpu-features` (chosen by Siam) or `autodetect`.
    public var coreTypeSource: String
    /// Whether OpenBLAS agreed with the reference kernel at start-up.
    public var isVerified: Bool
    /// Why OpenBLAS is not used, when it is not.
    public var problem: String?
  }

  struct Library: @unchecked Sendable {
    let sgemm: SgemmFunction?
    let setThreads: SetThreadsFunction?
    let info: Info
    var symmetricEigen: SymmetricEigenFunction? = nil
  }

  static let library: Library = load()

  /// What was loaded (forces loading).
  public static var info: Info { library.info }

  /// Whether matrix products go through OpenBLAS.
  public static var isAvailable: Bool { library.sgemm != nil }

  private final class ThreadState: @unchecked Sendable {
    let lock = NSLock()
    var threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Number of `withSingleThread` regions running now (possibly on several threads).
    var singleThreadRegions = 0
  }
  private static let threadState = ThreadState()

  /// 1 inside `withOneThreadForThisTask(_:)`, for the calling task only.
  @TaskLocal private static var scopedThreadCount: Int?

  /// Number of threads OpenBLAS uses for one call (defaults to the number of cores; 1 for
  /// a task inside `withOneThreadForThisTask(_:)`).
  public static var threadCount: Int {
    get { scopedThreadCount ?? threadState.lock.withLock { threadState.threads } }
    set {
      precondition(newValue >= 1, "BLAS thread count must be at least 1, got \(newValue)")
      threadState.lock.withLock {
        threadState.threads = newValue
        if threadState.singleThreadRegions == 0 { library.setThreads?(Int32(newValue)) }
      }
    }
  }

  /// The core type Siam would choose for a CPU with these `/proc/cpuinfo` flags, or `nil`
  /// to leave OpenBLAS's autodetection alone.
  public static func preferredCoreType(cpuFlags flags: Set<String>) -> String? {
    if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
    if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
    return nil
  }

  /// The flags of the first processor in `/proc/cpuinfo` (empty where there is none).
  public static func cpuFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
    for line in text.split(separator: "\n") where line.hasPrefix("flags") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }
    return []
  }

  private static func load() -> Library {
    var source = "autodetect"
    if let requested = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"], !requested.isEmpty {
      source = "environment"
    } else if let chosen = preferredCoreType(cpuFlags: cpuFlags()) {
      setenv("OPENBLAS_CORETYPE", chosen, 1)
      source = "cpu-features"
    }
    func unavailable(_ problem: String) -> Library {
      FileHandle.standardError.write(Data("siam: warning: \(problem); using the slow reference matrix kernel\n".utf8))
      return Library(
        sgemm: nil, setThreads: nil,
        info: Info(coreType: "reference", coreTypeSource: source, isVerified: false, problem: problem))
    }
    // OpenBLAS's idle worker threads spin on sched_yield for 2^28 cycles (about 0.1 s)
    // after each multi-threaded call. The engine's own threads run single-threaded sgemm
    // in between, so on a machine with as many threads as cores the spinning workers take
    // their cores (measured: 7 % of a convnet step's samples in sched_yield). 2^4 cycles
    // makes them sleep at once; waking them costs microseconds per multi-threaded call.
    if ProcessInfo.processInfo.environment["OPENBLAS_THREAD_TIMEOUT"]?.isEmpty ?? true {
      setenv("OPENBLAS_THREAD_TIMEOUT", "4", 1)
    }
    var handle: UnsafeMutableRawPointer?
    for name in ["libopenblas.so.0", "libopenblas.so"] {
      handle = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
      if handle != nil { break }
    }
    guard let handle else {
      return unavailable(
        "cannot open libopenblas.so.0 (install it with `make setup` or `apt-get install libopenblas0`)")
    }
    guard let sgemmSymbol = dlsym(handle, "cblas_sgemm") else {
      return unavailable("libopenblas.so.0 has no cblas_sgemm")
    }
    let sgemm = unsafeBitCast(sgemmSymbol, to: SgemmFunction.self)
    let setThreads = dlsym(handle, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFunction.self) }
    var coreType = "unknown"
    if let symbol = dlsym(handle, "openblas_get_corename"),
      let name = unsafeBitCast(symbol, to: GetCoreNameFunction.self)()
    {
      coreType = String(cString: name)
    }
    setThreads?(Int32(threadState.threads))
    if let mismatch = verify(sgemm) {
      return unavailable("OpenBLAS (\(coreType)) disagrees with the reference kernel: \(mismatch)")
    }
    return Library(
      sgemm: sgemm, setThreads: setThreads,
      info: Info(coreType: coreType, coreTypeSource: source, isVerified: true, problem: nil),
      symmetricEigen: dlsym(handle, "dsyevd_").map { unsafeBitCast($0, to: SymmetricEigenFunction.self) })
  }

  /// Compares OpenBLAS with `matmulReference` on odd shapes in all transpose cases.
  private static func verify(_ sgemm: SgemmFunction) -> String? {
    let (m, n, k) = (37, 29, 53)
    var state: UInt32 = 12345
    func next() -> Float {
      state = state &* 1_664_525 &+ 1_013_904_223
      return Float(state >> 8) / Float(1 << 24) - 0.5
    }
    let a = (0..<(m * k)).map { _ in next() }
    let b = (0..<(k * n)).map { _ in next() }
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        var c = [Float](repeating: 0, count: m * n)
        var expected = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            sgemm(
              Int32(CblasRowMajor.rawValue),
              Int32(transposeA ? CblasTrans.rawValue : CblasNoTrans.rawValue),
              Int32(transposeB ? CblasTrans.rawValue : CblasNoTrans.rawValue),
              Int32(m), Int32(n), Int32(k), 1, pa.baseAddress, Int32(transposeA ? m : k),
              pb.baseAddress, Int32(transposeB ? k : n), 0, &c, Int32(n))
            expected.withUnsafeMutableBufferPointer { pe in
              matmulReference(
                pa.baseAddress!, pb.baseAddress!, pe.baseAddress!, m: m, n: n, k: k,
                transposeA: transposeA, transposeB: transposeB)
            }
          }
        }
        let worst = zip(c, expected).map { abs($0 - $1) }.max() ?? 0
        if !(worst <= 1e-4) {
          return "max difference \(worst) with transposeA=\(transposeA), transposeB=\(transposeB)"
        }
      }
    }
    return nil
  }

  /// `C = alpha · op(A) · op(B) + beta · C` for row-major matrices, `op(A)` being `m×k`
  /// and `op(B)` being `k×n`.
  ///
  /// - Complexity: `2·m·n·k` floating-point operations.
  public static func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
  ) {
    guard m > 0, n > 0 else { return }
    let lda = lda ?? (transposeA ? m : k)
    let ldb = ldb ?? (transposeB ? k : n)
    let ldc = ldc ?? n
    guard k > 0 else {
      for i in 0..<m {
        for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] }
      }
      return
    }
    if let sgemm = library.sgemm {
      sgemm(
        Int32(CblasRowMajor.rawValue),
        Int32(transposeA ? CblasTrans.rawValue : CblasNoTrans.rawValue),
        Int32(transposeB ? CblasTrans.rawValue : CblasNoTrans.rawValue),
        Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    } else {
      matmulReference(
        a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
        alpha: alpha, beta: beta, lda: lda, ldb: ldb, ldc: ldc)
    }
  }

  /// The eigenvalues of the symmetric `n × n` row-major `matrix` (its upper triangle is
  /// read), ascending, by LAPACK's divide-and-conquer `dsyevd` in OpenBLAS on one thread
  /// (so the same input gives the same bits); nil without OpenBLAS or when LAPACK fails.
  ///
  /// - Complexity: O(n³); about a second at n = 2048 where a cyclic Jacobi takes minutes.
  public static func symmetricEigenvalues(_ matrix: [Double], dimension n: Int) -> [Double]? {
    precondition(matrix.count == n * n, "a \(n)×\(n) matrix needs \(n * n) values, got \(matrix.count)")
    guard let dsyevd = library.symmetricEigen, n > 0, n < Int(Int32.max / 4) else { return nil }
    // Row-major upper triangle = column-major lower triangle.
    var a = matrix
    var w = [Double](repeating: 0, count: n)
    var info: Int32 = 0
    var size = Int32(n)
    let jobz: [CChar] = [CChar(UInt8(ascii: "N")), 0]
    let uplo: [CChar] = [CChar(UInt8(ascii: "L")), 0]
    return withSingleThread { () -> [Double]? in
      var query = [Double](repeating: 0, count: 1)
      var integerQuery: [Int32] = [0]
      var minusOne: Int32 = -1
      dsyevd(jobz, uplo, &size, &a, &size, &w, &query, &minusOne, &integerQuery, &minusOne, &info, 1, 1)
      guard info == 0 else { return nil }
      var lwork = Int32(max(Double(2 * n + 1), query[0]))
      var liwork = max(1, integerQuery[0])
      var work = [Double](repeating: 0, count: Int(lwork))
      var iwork = [Int32](repeating: 0, count: Int(liwork))
      dsyevd(jobz, uplo, &size, &a, &size, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
      return info == 0 ? w : nil
    }
  }

  /// Runs `body` with OpenBLAS limited to one thread (inside the engine's own parallel
  /// regions, so that BLAS threads and pool threads never oversubscribe the cores).
  ///
  /// Regions may overlap (concurrent callers, nested calls): OpenBLAS goes back to
  /// `threadCount` threads only when the last running region ends, so no region ever sees
  /// multi-threaded BLAS (whose results can differ in the last bits from single-threaded).
  public static func withSingleThread<R>(_ body: () throws -> R) rethrows -> R {
    threadState.lock.withLock {
      if threadState.singleThreadRegions == 0 && threadState.threads != 1 { library.setThreads?(1) }
      threadState.singleThreadRegions += 1
    }
    defer {
      threadState.lock.withLock {
        threadState.singleThreadRegions -= 1
        if threadState.singleThreadRegions == 0 && threadState.threads != 1 {
          library.setThreads?(Int32(threadState.threads))
        }
      }
    }
    return try body()
  }
}

extension BLAS {
  /// Runs `body` with OpenBLAS on one thread (a `withSingleThread` region) and
  /// `threadCount` reading 1 for the calling task only, as `Parallel.withThreadCount`:
  /// other tasks keep reading, and recording in their run environments, the process-wide
  /// count, so concurrent tests do not see each other's setting.
  public static func withOneThreadForThisTask<R>(_ body: () throws -> R) rethrows -> R {
    try withSingleThread { try $scopedThreadCount.withValue(1) { try body() } }
  }
}

/// The naive triple loop `C = alpha · op(A) · op(B) + beta · C`, accumulating in `Double`.
///
/// The twin of `BLAS.sgemm` used by tests and by the start-up check.
public func matmulReference(
  _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
  m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool,
  alpha: Float = 1, beta: Float = 0, lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil
) {
  let lda = lda ?? (transposeA ? m : k)
  let ldb = ldb ?? (transposeB ? k : n)
  let ldc = ldc ?? n
  for i in 0..<m {
    for j in 0..<n {
      var sum = 0.0
      for p in 0..<k {
        let x = transposeA ? a[p * lda + i] : a[i * lda + p]
        let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
        sum += Double(x) * Double(y)
      }
      let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
      c[i * ldc + j] = Float(Double(alpha) * sum + previous)
    }
  }
}
