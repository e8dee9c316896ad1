import Foundation
import SiamTensor

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors)
/// for `F32` tensors, so that `safetensors.torch.load_file` reads what Siam writes and
/// the other way round.
///
/// Layout: an 8-byte little-endian header length `n`; `n` bytes of JSON
/// `{"<key>": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...,
/// "__metadata__": {"<string>": "<string>"}}`, padded with spaces to a multiple of 8;
/// then the data section, each tensor's little-endian bytes at its offsets (relative to
/// the start of the data section). Siam writes keys sorted, tensors contiguous in key
/// order. Reading validates everything the reference implementation does: the header
/// length, the JSON, dtypes, that each shape matches its byte count, and that the
/// offsets tile the data section exactly (in range, no overlap, no gap).
public enum SafeTensors {
  /// The key of the string-to-string metadata in the header.
  public static let metadataKey = "__metadata__"
  /// Headers larger than this are rejected as corrupt (the reference limit, 100 MB).
  public static let maximumHeaderLength = 100_000_000

  // MARK: - Writing

  /// The bytes of a safetensors file holding `tensors` and `metadata`.
  public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) -> Data {
    let keys = tensors.keys.sorted()
    var header: [String: Any] = [:]
    var offset = 0
    for key in keys {
      precondition(key != metadataKey, "'\(metadataKey)' cannot be a tensor key")
      let tensor = tensors[key]!
      let size = tensor.count * MemoryLayout<Float>.size
      header[key] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + size]] as [String: Any]
      offset += size
    }
    if !metadata.isEmpty { header[metadataKey] = metadata }
    var json =
      (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    precondition(!json.isEmpty, "safetensors header could not be serialised")
    json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
    var data = Data(capacity: 8 + json.count + offset)
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(json)
    for key in keys {
      tensors[key]!.withUnsafeBufferPointer { buffer in
        #if _endian(big)
          for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        #else
          data.append(UnsafeBufferPointer(start: buffer.baseAddress, count: buffer.count))
        #endif
      }
    }
    return data
  }

  /// Writes a safetensors file atomically (to a temporary file in the same folder,
  /// renamed over `path` when complete).
  ///
  /// - Throws: `NNError.fileAccess` naming `path` when the file cannot be written.
  public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to path: String) throws {
    let data = encode(tensors, metadata: metadata)
    let temporary = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw NNError(
        .fileAccess, path: path, "cannot write the checkpoint; is the folder there and writable?", cause: error)
    }
    if rename(temporary, path) != 0 {
      let code = errno
      unlink(temporary)
      throw NNError(
        .fileAccess, path: path, "cannot move the checkpoint into place: \(String(cString: strerror(code)))")
    }
  }

  // MARK: - Reading

  /// Reads a safetensors file.
  ///
  /// - Throws: `NNError` naming `path`: `.fileAccess` when it cannot be read, otherwise
  ///   as `decode(_:source:)`.
  public static func read(from path: String) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw NNError(.fileAccess, path: path, "cannot read the checkpoint", cause: error)
    }
    return try decode(data, source: path)
  }

  /// Parses the bytes of a safetensors file.
  ///
  /// - Parameter source: The file name for error messages.
  /// - Throws: `NNError` with code `.truncated` (shorter than its header or data
  ///   promise), `.corruptHeader` (bad length, JSON, structure, shapes or offsets) or
  ///   `.unsupportedDType` (anything but `F32`).
  public static func decode(_ data: Data, source: String? = nil) throws -> (
    tensors: [String: Tensor], metadata: [String: String]
  ) {
    func fail(_ code: NNError.Code, _ message: String) -> NNError {
      NNError(code, path: source, message + " (not a valid safetensors file; rewrite it or check the download)")
    }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else {
      throw fail(.truncated, "file has \(bytes.count) bytes, fewer than the 8-byte header length")
    }
    let length = bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    guard length > 0, length <= UInt64(maximumHeaderLength) else {
      throw fail(.corruptHeader, "header length \(length) is outside 1...\(maximumHeaderLength)")
    }
    let headerEnd = 8 + Int(length)
    guard headerEnd <= bytes.count else {
      throw fail(.truncated, "header length \(length) runs past the end of the \(bytes.count)-byte file")
    }
    let parsed: Any
    do {
      parsed = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
    } catch {
      throw fail(.corruptHeader, "header is not valid JSON")
    }
    guard let header = parsed as? [String: Any] else {
      throw fail(.corruptHeader, "header is not a JSON object")
    }
    var metadata: [String: String] = [:]
    if let raw = header[metadataKey] {
      guard let strings = raw as? [String: String] else {
        throw fail(.corruptHeader, "'\(metadataKey)' must map strings to strings")
      }
      metadata = strings
    }
    let dataSize = bytes.count - headerEnd
    var entries: [(key: String, shape: [Int], begin: Int, end: Int)] = []
    for (key, raw) in header where key != metadataKey {
      guard let info = raw as? [String: Any] else { throw fail(.corruptHeader, "entry '\(key)' is not an object") }
      guard let dtype = info["dtype"] as? String else { throw fail(.corruptHeader, "entry '\(key)' has no dtype") }
      guard dtype == "F32" else {
        throw NNError(
          .unsupportedDType, path: source,
          "tensor '\(key)' has dtype \(dtype); Siam reads F32 only (convert with tensor.float())")
      }
      guard let shape = integers(info["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
        throw fail(.corruptHeader, "tensor '\(key)' has no valid shape")
      }
      guard let offsets = integers(info["data_offsets"]), offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1]
      else {
        throw fail(.corruptHeader, "tensor '\(key)' has no valid data_offsets")
      }
      guard offsets[1] <= dataSize else {
        throw fail(
          .truncated,
          "tensor '\(key)' needs bytes \(offsets[0])..<\(offsets[1]) but the data section has \(dataSize) bytes")
      }
      let (count, overflow) = shape.reduce((1, false)) { accumulated, extent in
        let product = accumulated.0.multipliedReportingOverflow(by: extent)
        return (product.partialValue, accumulated.1 || product.overflow)
      }
      guard !overflow, count * 4 == offsets[1] - offsets[0] else {
        throw fail(
          .corruptHeader,
          "tensor '\(key)' of shape \(shape) needs \(count) floats but its offsets span \(offsets[1] - offsets[0]) bytes"
        )
      }
      entries.append((key, shape, offsets[0], offsets[1]))
    }
    entries.sort { ($0.begin, $0.end, $0.key) < ($1.begin, $1.end, $1.key) }
    var covered = 0
    for entry in entries {
      guard entry.begin >= covered else {
        throw fail(
          .corruptHeader,
          "tensor '\(entry.key)' at bytes \(entry.begin)..<\(entry.end) overlaps the previous tensor (ending at \(covered))"
        )
      }
      guard entry.begin == covered else {
        throw fail(.corruptHeader, "gap in the data section: bytes \(covered)..<\(entry.begin) belong to no tensor")
      }
      covered = entry.end
    }
    guard covered == dataSize else {
      throw fail(.corruptHeader, "the tensors cover \(covered) bytes but the data section has \(dataSize)")
    }
    var tensors: [String: Tensor] = [:]
    for entry in entries {
      var tensor = Tensor(uninitializedShape: entry.shape)
      tensor.withUnsafeMutableBufferPointer { out in
        bytes.withUnsafeBytes { raw in
          let start = headerEnd + entry.begin
          for i in out.indices {
            out[i] = Float(
              bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
          }
        }
      }
      tensors[entry.key] = tensor
    }
    return (tensors, metadata)
  }

  /// An array of JSON integers (rejecting fractions and non-numbers).
  private static func integers(_ value: Any?) -> [Int]? {
    guard let array = value as? [Any] else { return nil }
    var result: [Int] = []
    for element in array {
      guard let number = element as? NSNumber, let integer = Int(exactly: number.doubleValue),
        Double(integer) == number.doubleValue
      else { return nil }
      result.append(integer)
    }
    return result
  }
}
