/// Reading and writing the NumPy `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length
/// (`UInt16` little-endian in 1.0, `UInt32` in 2.0/3.0), an ASCII (3.0: UTF-8) Python
/// dictionary literal `{'descr': '<f4', 'fortran_order': False, 'shape': (N, H, W), }`
/// padded with spaces and ended by `\n`, then the raw elements.
extension NPYArray {
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

  /// Reads the `.npy` file at `path` (gzip'd `.npy` files are decompressed too).
  ///
  /// - Throws: `DataError` `.fileNotFound`, `.unreadable`, `.badMagic`, `.badHeader`,
  ///   `.unsupported` (Fortran order, big-endian or other dtypes), `.truncated`.
  public static func read(_ path: String, notFoundHint: String = "") throws -> NPYArray {
    try parse(DataFile.read(path, notFoundHint: notFoundHint), path: path)
  }

  /// Parses the bytes of a `.npy` file; `path` is only for messages.
  public static func parse(_ file: [UInt8], path: String) throws -> NPYArray {
    guard file.count >= 10, Array(file[0..<6]) == magic else {
      throw DataError(
        .badMagic, "not a NumPy .npy file (it does not start with \\x93NUMPY); save arrays with numpy.save", path: path)
    }
    let major = file[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(file[8]) | Int(file[9]) << 8
      headerStart = 10
    case 2, 3:
      guard file.count >= 12 else { throw DataError(.truncated, "the .npy preamble is cut short", path: path) }
      headerLength = Int(file[8]) | Int(file[9]) << 8 | Int(file[10]) << 16 | Int(file[11]) << 24
      headerStart = 12
    default:
      throw DataError(
        .unsupported, ".npy format version \(major).\(file[7]) is not supported (only 1.0, 2.0, 3.0)", path: path)
    }
    guard file.count >= headerStart + headerLength else {
      throw DataError(.truncated, "the .npy header declares \(headerLength) bytes but the file ends first", path: path)
    }
    guard let text = String(validating: file[headerStart..<(headerStart + headerLength)], as: UTF8.self) else {
      throw DataError(.badHeader, "the .npy header is not valid text", path: path)
    }
    let header: NPYHeader
    do {
      header = try NPYHeader(parsing: text)
    } catch let error as NPYHeader.ParseError {
      throw DataError(
        .badHeader, "malformed .npy header \(text.trimmingSpaces.debugDescription): \(error.reason)", path: path)
    }
    if header.fortranOrder {
      throw DataError(
        .unsupported,
        "Fortran-order arrays are not supported; save a C-order copy with numpy.save(path, numpy.ascontiguousarray(array))",
        path: path)
    }
    let dataStart = headerStart + headerLength
    let count = header.shape.reduce(1, *)
    let itemSize = try itemSize(ofDescr: header.descr, path: path)
    let needed = count * itemSize
    let available = file.count - dataStart
    guard available >= needed else {
      throw DataError(
        .truncated,
        "shape \(header.shape) of \(header.descr) needs \(needed) bytes of data but the file holds \(available); write the file again",
        path: path)
    }
    guard available == needed else {
      throw DataError(
        .badHeader, "\(available - needed) bytes after the \(needed) bytes declared by shape \(header.shape)",
        path: path)
    }
    let body = file[dataStart...]
    let values: Values
    switch itemKind(header.descr) {
    case "u1": values = .uint8(Array(body))
    case "i4": values = .int32(copyElements(body, count: count))
    case "i8": values = .int64(copyElements(body, count: count))
    case "f4": values = .float32(copyElements(body, count: count))
    default: values = .float64(copyElements(body, count: count))
    }
    return NPYArray(shape: header.shape, values: values)
  }

  /// The `.npy` encoding (format 1.0, or 2.0 for a header over 64 KiB), header padded so
  /// that the data starts at a multiple of 64 bytes, as NumPy does.
  public func encoded() -> [UInt8] {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(values.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    let isLarge = header.utf8.count + 1 + 10 > 65_535
    let preamble = isLarge ? 12 : 10
    let total = preamble + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
    let length = header.utf8.count
    var out = NPYArray.magic + [isLarge ? 2 : 1, 0]
    out +=
      isLarge
      ? withUnsafeBytes(of: UInt32(length).littleEndian, Array.init)
      : withUnsafeBytes(of: UInt16(length).littleEndian, Array.init)
    out += Array(header.utf8)
    out.reserveCapacity(out.count + count * values.itemSize)
    switch values {
    case .uint8(let v): out += v
    case .int32(let v): v.withUnsafeBytes { out += $0 }
    case .int64(let v): v.withUnsafeBytes { out += $0 }
    case .float32(let v): v.withUnsafeBytes { out += $0 }
    case .float64(let v): v.withUnsafeBytes { out += $0 }
    }
    return out
  }

  /// Writes this array as a `.npy` file at `path` (atomically).
  ///
  /// - Throws: `DataError.unwritable` naming the path when the write fails.
  public func write(to path: String) throws {
    try DataFile.write(encoded(), to: path)
  }

  // MARK: - Dtypes

  /// `u1`, `f4`, ... of a descr, without its byte-order character.
  private static func itemKind(_ descr: String) -> String {
    if let first = descr.first, "<>|=".contains(first) { return String(descr.dropFirst()) }
    return descr
  }

  private static func itemSize(ofDescr descr: String, path: String) throws -> Int {
    let kind = itemKind(descr)
    let sizes = ["u1": 1, "i4": 4, "i8": 8, "f4": 4, "f8": 8]
    guard let size = sizes[kind], !(descr.hasPrefix(">") && size > 1) else {
      throw DataError(
        .unsupported,
        "dtype '\(descr)' is not supported (use uint8 or float32 images and int64, int32 or uint8 labels, little-endian); convert with array.astype(numpy.float32)",
        path: path)
    }
    return size
  }
}

/// `count` little-endian elements of `T` from raw bytes (every supported host is little-endian).
private func copyElements<T>(_ bytes: ArraySlice<UInt8>, count: Int) -> [T] {
  [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    bytes.withUnsafeBytes { source in
      UnsafeMutableRawBufferPointer(buffer).copyMemory(
        from: UnsafeRawBufferPointer(rebasing: source[0..<(count * MemoryLayout<T>.stride)]))
    }
    initialized = count
  }
}

extension String {
  fileprivate var trimmingSpaces: String {
    var s = Substring(self)
    while let c = s.last, c == " " || c == "\n" { s.removeLast() }
    return String(s)
  }
}
