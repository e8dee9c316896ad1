import CZlib

/// gzip and zlib streams through the system zlib (Foundation on Linux has no compression).
///
/// `decompress` auto-detects gzip or zlib framing (`windowBits` 15 + 32), decodes
/// multi-member gzip files (the concatenation of the members, as `gunzip` does) and throws
/// on truncated or corrupt streams and on trailing bytes that are not another member.
public enum Gzip {
  /// Whether `bytes` start with the gzip magic bytes `1f 8b`.
  public static func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
  }

  /// The decompressed content of a gzip (or zlib) stream.
  ///
  /// - Parameters:
  ///   - data: The compressed bytes.
  ///   - path: The file they came from, for error messages.
  /// - Returns: The decompressed bytes (all members, in order).
  /// - Throws: `DataError` `.truncated` when the stream ends early, `.unreadable` when it
  ///   is corrupt (a bad header, a CRC mismatch, trailing garbage).
  /// - Complexity: O(decompressed size); about 0.3–0.5 GB/s.
  public static func decompress(_ data: [UInt8], path: String) throws -> [UInt8] {
    guard !data.isEmpty else {
      throw DataError(.truncated, "empty compressed file; download it again", path: path)
    }
    var output = [UInt8](repeating: 0, count: initialCapacity(for: data))
    var produced = 0
    // zlib keeps a pointer back to its z_stream, so the stream must not move: heap-allocate it.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    var status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    guard status == Z_OK else {
      throw DataError(.unreadable, "zlib could not start (inflateInit2 returned \(status))", path: path)
    }
    defer { inflateEnd(stream) }

    try data.withUnsafeBufferPointer { input in
      var consumed = 0
      while true {
        if produced == output.count {
          output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
        }
        let chunkIn = min(input.count - consumed, Int(UInt32.max))
        let chunkOut = min(output.count - produced, Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
        stream.pointee.avail_in = UInt32(chunkIn)
        status = output.withUnsafeMutableBufferPointer { out in
          stream.pointee.next_out = out.baseAddress! + produced
          stream.pointee.avail_out = UInt32(chunkOut)
          return inflate(stream, Z_NO_FLUSH)
        }
        consumed += chunkIn - Int(stream.pointee.avail_in)
        produced += chunkOut - Int(stream.pointee.avail_out)

        switch status {
        case Z_OK:
          continue
        case Z_STREAM_END:
          let rest = input.count - consumed
          if rest == 0 { return }
          // Another gzip member follows: decode it too. Anything else is an error.
          if rest >= 2 && input[consumed] == 0x1f && input[consumed + 1] == 0x8b {
            inflateReset(stream)
            continue
          }
          throw DataError(
            .unreadable,
            "\(rest) bytes of trailing data after the end of the compressed stream; the file is corrupt, download it again",
            path: path)
        case Z_BUF_ERROR where consumed == input.count && produced < output.count:
          throw DataError(
            .truncated,
            "the compressed stream ends early (after \(data.count) bytes, \(produced) decompressed); download the file again",
            path: path)
        case Z_BUF_ERROR:
          continue  // No room in the output: grown at the top of the loop.
        default:
          let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
          throw DataError(.unreadable, "corrupt compressed data (\(detail)); download the file again", path: path)
        }
      }
    }
    output.removeLast(output.count - produced)
    return output
  }

  /// `bytes` as one gzip member (used by tests to write `.gz` fixtures, and by writers).
  ///
  /// - Parameter level: zlib level, 0 (store) to 9 (best); default 6.
  public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    precondition(bytes.count < Int(UInt32.max), "Gzip.compress takes under 4 GiB at once, got \(bytes.count) bytes")
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    var status = deflateInit2_(
      stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "deflateInit2 failed with status \(status)")
    defer { deflateEnd(stream) }
    let bound = Int(deflateBound(stream, UInt(bytes.count))) + 32
    var output = [UInt8](repeating: 0, count: bound)
    bytes.withUnsafeBufferPointer { input in
      output.withUnsafeMutableBufferPointer { out in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = UInt32(input.count)
        stream.pointee.next_out = out.baseAddress
        stream.pointee.avail_out = UInt32(out.count)
        status = deflate(stream, Z_FINISH)
      }
    }
    precondition(status == Z_STREAM_END, "deflate did not finish (status \(status)) for \(bytes.count) bytes")
    output.removeLast(output.count - Int(stream.pointee.total_out))
    return output
  }

  /// A first output size: gzip's trailer holds the last member's size modulo 2³², which
  /// is exact for single-member files under 4 GiB; bounded by deflate's maximal ratio.
  private static func initialCapacity(for data: [UInt8]) -> Int {
    let fallback = max(data.count * 4, 1 << 16)
    guard isGzip(data), data.count >= 18 else { return fallback }
    let n = data.count
    let size = Int(data[n - 4]) | Int(data[n - 3]) << 8 | Int(data[n - 2]) << 16 | Int(data[n - 1]) << 24
    guard size > 0, size <= data.count &* 1032 else { return fallback }
    return size
  }
}
