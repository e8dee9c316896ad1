/// A key of the counter-based Philox4x32-10 generator (Salmon et al., SC'11).
///
/// Every random number in Siam is a pure function of a key and a counter, never of a
/// hidden global state or of thread scheduling. Keys are derived, not advanced:
/// `RandomKey(seed: 7).folded(in: stage).folded(in: epoch)` names one stream, and
/// element `i` of a random tensor uses counter `i`, so any slice of the work can be
/// computed by any thread and gives the same bits.
public struct RandomKey: Sendable, Hashable, Codable {
  public let words: SIMD2<UInt32>

  /// The root key of a seed.
  public init(seed: UInt64) {
    words = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
  }

  init(words: SIMD2<UInt32>) {
    self.words = words
  }

  /// A child key for `data` (like JAX's `fold_in`): distinct data give independent streams.
  public func folded(in data: UInt64) -> RandomKey {
    let block = philox(
      counter: SIMD4(UInt32(truncatingIfNeeded: data), UInt32(truncatingIfNeeded: data >> 32), 0x5EED_F01D, 0xC0FF_EE00)
    )
    return RandomKey(words: SIMD2(block[0], block[1]))
  }

  /// A child key for a string label (stable FNV-1a hash of its UTF-8 bytes).
  public func folded(in label: String) -> RandomKey {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in label.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    return folded(in: hash)
  }

  /// The 128 random bits of block `counter` of this key's stream.
  public func block(_ counter: UInt64) -> SIMD4<UInt32> {
    philox(counter: SIMD4(UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), 0, 0))
  }

  /// Philox4x32 with 10 rounds.
  @inlinable
  public func philox(counter: SIMD4<UInt32>) -> SIMD4<UInt32> {
    var c = counter
    var k = words
    for round in 0..<10 {
      if round > 0 { k &+= SIMD2(0x9E37_79B9, 0xBB67_AE85) }
      let p0 = UInt64(0xD251_1F53) &* UInt64(c[0])
      let p1 = UInt64(0xCD9E_8D57) &* UInt64(c[2])
      let (hi0, lo0) = (UInt32(truncatingIfNeeded: p0 >> 32), UInt32(truncatingIfNeeded: p0))
      let (hi1, lo1) = (UInt32(truncatingIfNeeded: p1 >> 32), UInt32(truncatingIfNeeded: p1))
      c = SIMD4(hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0)
    }
    return c
  }
}

/// A uniform float in `[0, 1)` from the top 24 bits of a random word.
@inlinable
public func unitFloat(_ bits: UInt32) -> Float {
  Float(bits >> 8) * (1.0 / 16_777_216.0)
}

/// A sequential generator over one key's stream, for code that draws a varying number
/// of values (shuffles, rejection sampling). Its state is just the key and a counter.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable, Codable {
  public let key: RandomKey
  /// Index of the next 64-bit draw.
  public private(set) var position: UInt64 = 0

  public init(key: RandomKey, position: UInt64 = 0) {
    self.key = key
    self.position = position
  }

  public mutating func next() -> UInt64 {
    let block = key.block(position / 2)
    let pair = position % 2 == 0 ? (block[0], block[1]) : (block[2], block[3])
    position += 1
    return UInt64(pair.0) | UInt64(pair.1) << 32
  }

  /// A uniform float in `[0, 1)`.
  public mutating func nextUnitFloat() -> Float {
    unitFloat(UInt32(truncatingIfNeeded: next() >> 32))
  }

  /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
  public mutating func nextInt(below bound: Int) -> Int {
    precondition(bound > 0, "bound must be positive, got \(bound)")
    let b = UInt64(bound)
    var product = next().multipliedFullWidth(by: b)
    if product.low < b {
      let threshold = (0 &- b) % b
      while product.low < threshold { product = next().multipliedFullWidth(by: b) }
    }
    return Int(product.high)
  }

  /// `values` in a random order (Fisher–Yates; the algorithm is fixed, so the order is
  /// the same on every platform and Swift version).
  public mutating func shuffled<T>(_ values: [T]) -> [T] {
    var result = values
    var i = result.count - 1
    while i > 0 {
      let j = nextInt(below: i + 1)
      result.swapAt(i, j)
      i -= 1
    }
    return result
  }
}
