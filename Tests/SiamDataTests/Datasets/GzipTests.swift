import SiamData
import Testing

@Suite struct GzipTests {
  @Test func roundTripsAndDetectsMagic() throws {
    let original = patternBytes(100_000)
    let compressed = Gzip.compress(original)
    #expect(Gzip.isGzip(compressed))
    #expect(!Gzip.isGzip(original))
    #expect(compressed.count < original.count)
    #expect(try Gzip.decompress(compressed, path: "x.gz") == original)
    #expect(try Gzip.decompress(Gzip.compress([]), path: "empty.gz") == [])
  }

  @Test func decodesMultiMemberFilesAsTheirConcatenation() throws {
    let a = patternBytes(5000, salt: 1)
    let b = patternBytes(7000, salt: 2)
    #expect(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b, level: 1), path: "two.gz") == a + b)
  }

  @Test func truncatedStreamIsATruncatedError() {
    let compressed = Gzip.compress(patternBytes(50_000))
    for cut in [10, compressed.count / 2, compressed.count - 4] {
      let error = expectDataError(.truncated) { _ = try Gzip.decompress(Array(compressed.prefix(cut)), path: "cut.gz") }
      #expect(error?.description.hasPrefix("cut.gz: ") == true)
    }
    expectDataError(.truncated) { _ = try Gzip.decompress([], path: "empty.gz") }
  }

  @Test func corruptStreamOrTrailingGarbageIsUnreadable() {
    var compressed = Gzip.compress(patternBytes(50_000))
    var corrupt = compressed
    corrupt[corrupt.count - 6] ^= 0xff  // CRC-32 of the trailer
    expectDataError(.unreadable) { _ = try Gzip.decompress(corrupt, path: "crc.gz") }
    var badHeader = compressed
    badHeader[2] = 7  // compression method other than deflate
    expectDataError(.unreadable) { _ = try Gzip.decompress(badHeader, path: "method.gz") }
    compressed += [1, 2, 3, 4]
    expectDataError(.unreadable) { _ = try Gzip.decompress(compressed, path: "tail.gz") }
  }
}
