/// One array in the IDX format of MNIST and Fashion-MNIST (`*-idx3-ubyte`, `*-idx1-ubyte`,
/// plain or gzip'd).
///
/// Layout: a big-endian magic number `00 00 TT DD` (`TT` the element type, `0x08` for
/// unsigned bytes; `DD` the number of dimensions), `DD` big-endian `UInt32` extents, then
/// the elements in row-major order. Images are `0x00000803` (`[N, H, W]`), labels
/// `0x00000801` (`[N]`). Only unsigned-byte arrays are read.
public struct IDXFile: Sendable, Equatable {
  /// The extents, outermost first (`[N, H, W]` for images, `[N]` for labels).
  public var dimensions: [Int]
  /// The elements, `dimensions.reduce(1, *)` bytes.
  public var bytes: [UInt8]

  public init(dimensions: [Int], bytes: [UInt8]) {
    precondition(
      dimensions.reduce(1, *) == bytes.count,
      "IDX dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(bytes.count)")
    self.dimensions = dimensions
    self.bytes = bytes
  }

  /// Reads and checks the IDX file at `path` (decompressing gzip by its magic bytes).
  ///
  /// - Parameters:
  ///   - path: The file.
  ///   - rank: The number of dimensions required (3 for images, 1 for labels).
  ///   - notFoundHint: How to get the file, added to a `fileNotFound` message.
  /// - Throws: `DataError` `.fileNotFound`, `.unreadable`, `.badMagic`, `.unsupported`,
  ///   `.truncated`, `.badHeader`.
  public static func read(_ path: String, rank: Int, notFoundHint: String = "") throws -> IDXFile {
    try parse(DataFile.read(path, notFoundHint: notFoundHint), rank: rank, path: path)
  }

  /// Parses the (decompressed) bytes of an IDX file; `path` is only for messages.
  public static func parse(_ file: [UInt8], rank: Int, path: String) throws -> IDXFile {
    let kind = rank == 1 ? "label" : rank == 3 ? "image" : "rank-\(rank)"
    let expectedMagic = idxMagic(0x0800 + rank)
    guard file.count >= 4 else {
      throw DataError(
        .truncated, "\(file.count) bytes, too short for an IDX header; download the file again", path: path)
    }
    guard file[0] == 0, file[1] == 0 else {
      let found = file.prefix(4).map { hex2($0) }.joined()
      throw DataError(
        .badMagic,
        "not an IDX \(kind) file: magic 0x\(found), expected \(expectedMagic); is this the right file?", path: path)
    }
    guard file[2] == 0x08 else {
      throw DataError(
        .unsupported,
        "IDX element type 0x\(hex2(file[2])) is not supported (only unsigned bytes, 0x08, as in MNIST)", path: path)
    }
    guard Int(file[3]) == rank else {
      let foundKind = file[3] == 1 ? " (a label file)" : file[3] == 3 ? " (an image file)" : ""
      throw DataError(
        .badMagic,
        "magic \(idxMagic(0x0800 + Int(file[3])))\(foundKind), expected \(expectedMagic) for an IDX \(kind) file; are the image and label files swapped?",
        path: path)
    }
    let headerSize = 4 + 4 * rank
    guard file.count >= headerSize else {
      throw DataError(
        .truncated, "the header needs \(headerSize) bytes, the file holds \(file.count); download the file again",
        path: path)
    }
    var dimensions: [Int] = []
    for d in 0..<rank {
      let o = 4 + 4 * d
      dimensions.append(Int(file[o]) << 24 | Int(file[o + 1]) << 16 | Int(file[o + 2]) << 8 | Int(file[o + 3]))
    }
    if rank > 1, dimensions.dropFirst().contains(0) {
      throw DataError(.badHeader, "zero image extent in dimensions \(dimensions)", path: path)
    }
    let (elementCount, overflow) = dimensions.reduce((1, false)) { acc, d in
      let (p, o) = acc.0.multipliedReportingOverflow(by: d)
      return (p, acc.1 || o)
    }
    guard !overflow else { throw DataError(.badHeader, "absurd dimensions \(dimensions)", path: path) }
    let available = file.count - headerSize
    guard available >= elementCount else {
      throw DataError(
        .truncated,
        "the header declares \(dimensions.map(String.init).joined(separator: "×")) = \(elementCount) bytes of data but the file holds \(available); download the file again",
        path: path)
    }
    guard available == elementCount else {
      throw DataError(
        .badHeader,
        "\(available - elementCount) bytes after the \(elementCount) bytes declared by the header (dimensions \(dimensions)); is this the right file?",
        path: path)
    }
    return IDXFile(dimensions: dimensions, bytes: Array(file[headerSize...]))
  }

  /// The IDX encoding of this array (magic, big-endian extents, bytes), uncompressed.
  public func encoded() -> [UInt8] {
    var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
    out.reserveCapacity(4 + 4 * dimensions.count + bytes.count)
    for d in dimensions {
      let v = UInt32(d)
      out += [UInt8(v >> 24), UInt8((v >> 16) & 0xff), UInt8((v >> 8) & 0xff), UInt8(v & 0xff)]
    }
    out += bytes
    return out
  }
}

private func hex2(_ byte: UInt8) -> String {
  let digits = Array("0123456789abcdef")
  return String([digits[Int(byte >> 4)], digits[Int(byte & 0xf)]])
}

/// `0x00000803`-style spelling of an IDX magic number.
private func idxMagic(_ magic: Int) -> String {
  let digits = Array("0123456789abcdef")
  var s = "0x"
  for shift in stride(from: 28, through: 0, by: -4) { s.append(digits[(magic >> shift) & 0xf]) }
  return s
}
