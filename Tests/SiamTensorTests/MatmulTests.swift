import SiamTensor
import Testing
import _SiamTestSupport

@Suite struct MatmulTests {
  @Test func openBLASLoadedAndVerified() {
    #expect(BLAS.isAvailable, "\(BLAS.info)")
    #expect(BLAS.info.isVerified)
  }

  @Test(arguments: [(1, 1, 1), (7, 13, 5), (33, 17, 65), (64, 3, 129)])
  func matmulMatchesNaiveOnOddShapes(_ m: Int, _ n: Int, _ k: Int) {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a = makeTestTensor(transposeA ? [k, m] : [m, k], seed: UInt64(m * 1000 + k))
        let b = makeTestTensor(transposeB ? [n, k] : [k, n], seed: UInt64(n * 1000 + k + 1))
        let c = matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        var expected = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
          b.withUnsafeBufferPointer { pb in
            matmulReference(
              pa.baseAddress!, pb.baseAddress!, &expected, m: m, n: n, k: k,
              transposeA: transposeA, transposeB: transposeB)
          }
        }
        expectClose(
          c, Tensor(shape: [m, n], scalars: expected), absolute: 1e-4, relative: 1e-4,
          "transposeA \(transposeA) transposeB \(transposeB)")
      }
    }
  }

  @Test func coreTypeChoiceFollowsCPUFeatures() {
    #expect(
      BLAS.preferredCoreType(cpuFlags: ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"]) == "SkylakeX")
    #expect(BLAS.preferredCoreType(cpuFlags: ["avx2", "fma", "avx512f"]) == "Haswell")
    #expect(BLAS.preferredCoreType(cpuFlags: ["sse3"]) == nil)
  }
}
