import SiamTensor
import Testing

@Suite struct RandomTests {
  @Test func philoxMatchesPublishedKnownAnswer() {
    // Random123's kat_vectors: philox4x32 R=10, counter = key = 0.
    let zero = RandomKey(seed: 0).philox(counter: SIMD4(0, 0, 0, 0))
    #expect(zero == SIMD4(0x6627_E8D5, 0xE169_C58D, 0xBC57_AC4C, 0x9B00_DBD8))
  }

  @Test func sameKeySameBitsWhateverTheThreadCount() {
    let one = Parallel.withThreadCount(1) { Tensor.randomNormal(shape: [100_003], key: RandomKey(seed: 9)) }
    let two = Parallel.withThreadCount(2) { Tensor.randomNormal(shape: [100_003], key: RandomKey(seed: 9)) }
    #expect(one.isBitIdentical(to: two))
    #expect(!one.isBitIdentical(to: Tensor.randomNormal(shape: [100_003], key: RandomKey(seed: 10))))
  }

  @Test func normalSamplesHaveTheRequestedMoments() {
    let x = Tensor.randomNormal(shape: [200_000], mean: 2, standardDeviation: 3, key: RandomKey(seed: 1)).scalars
    let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
    let variance = x.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(x.count)
    #expect(abs(mean - 2) < 0.03)
    #expect(abs(variance.squareRoot() - 3) < 0.03)
  }

  @Test func foldedKeysDiffer() {
    let root = RandomKey(seed: 5)
    #expect(root.folded(in: 1) != root.folded(in: 2))
    #expect(root.folded(in: "pretrain") == root.folded(in: "pretrain"))
  }

  @Test func streamBoundedIntsAreUniformAndShuffleIsAPermutation() {
    var stream = RandomStream(key: RandomKey(seed: 3))
    var counts = [Int](repeating: 0, count: 6)
    for _ in 0..<60_000 { counts[stream.nextInt(below: 6)] += 1 }
    #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })
    let shuffled = stream.shuffled(Array(0..<100))
    #expect(shuffled.sorted() == Array(0..<100))
    #expect(shuffled != Array(0..<100))
  }
}
