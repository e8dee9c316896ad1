import SiamData
import Testing

@Suite struct NPYArrayTests {
  static let arrays: [NPYArray] = [
    NPYArray(shape: [2, 3], values: .uint8([0, 1, 2, 253, 254, 255])),
    NPYArray(shape: [4], values: .int32([-1, 0, 7, Int32.max])),
    NPYArray(shape: [3], values: .int64([Int64.min, 0, 1 << 40])),
    NPYArray(shape: [2, 1, 2], values: .float32([0.5, -1.25, .infinity, 3e-8])),
    NPYArray(shape: [1, 2], values: .float64([1.0 / 3.0, -2.5])),
    NPYArray(shape: [0, 28], values: .float32([])),
  ]

  @Test(arguments: arrays)
  func roundTripsThroughAFile(array: NPYArray) throws {
    let dir = try TemporaryDirectory()
    try array.write(to: dir.file("a.npy"))
    let read = try NPYArray.read(dir.file("a.npy"))
    #expect(read == array)
  }

  @Test func writingIntoAMissingFolderIsUnwritable() throws {
    let dir = try TemporaryDirectory()
    let error = expectDataError(.unwritable) {
      try NPYArray(shape: [1], values: .uint8([1])).write(to: dir.file("no/such/folder/a.npy"))
    }
    #expect(error?.path == dir.file("no/such/folder/a.npy"))
  }

  @Test func headerIsPaddedToSixtyFourBytesAsNumPyWritesIt() {
    let encoded = NPYArray(shape: [3], values: .uint8([1, 2, 3])).encoded()
    #expect(Array(encoded.prefix(8)) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    #expect(encoded.count == 128 + 3)  // 10 + 58 + padding + "\n" = 128
    let header = String(decoding: encoded[10..<128], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"))
    #expect(header.hasSuffix("\n"))
  }

  /// A `.npy` file with a hand-written header (version `major`.0).
  func file(header: String, major: UInt8 = 1, data: [UInt8]) -> [UInt8] {
    let text = Array((header + "\n").utf8)
    let length =
      major == 1
      ? [UInt8(text.count & 0xff), UInt8(text.count >> 8)]
      : [UInt8(text.count & 0xff), UInt8(text.count >> 8), 0, 0]
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0] + length + text + data
  }

  @Test(arguments: [UInt8(2), 3])
  func readsVersionTwoAndThreeHeaders(major: UInt8) throws {
    let bytes = file(
      header: "{\"descr\": \"<i8\", \"fortran_order\": False, \"shape\": (2L,)}", major: major,
      data: [5, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0])
    #expect(try NPYArray.parse(bytes, path: "v.npy") == NPYArray(shape: [2], values: .int64([5, 6])))
  }

  @Test func scalarHasAnEmptyShape() throws {
    let bytes = file(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", data: [42])
    #expect(try NPYArray.parse(bytes, path: "s.npy") == NPYArray(shape: [], values: .uint8([42])))
  }

  @Test func wrongMagicIsBadMagic() {
    expectDataError(.badMagic) { _ = try NPYArray.parse(Array("PK\u{3}\u{4} a zip file".utf8), path: "x.npz") }
  }

  @Test(arguments: [
    "{'descr': '<f4', 'fortran_order': False}",
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x)}",
    "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
    "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}",
    "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
    "not a dict",
  ])
  func malformedHeaderIsBadHeader(header: String) {
    let error = expectDataError(.badHeader) { _ = try NPYArray.parse(file(header: header, data: []), path: "h.npy") }
    #expect(error?.description.hasPrefix("h.npy: malformed .npy header") == true)
  }

  @Test func fortranOrderIsUnsupported() {
    let bytes = file(header: "{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2), }", data: [1, 2, 3, 4])
    let error = expectDataError(.unsupported) { _ = try NPYArray.parse(bytes, path: "f.npy") }
    #expect(error?.message.contains("ascontiguousarray") == true)
  }

  @Test(arguments: ["<i2", ">f4", "<c8", "|b1", "<U4"])
  func otherDtypesAreUnsupported(descr: String) {
    let bytes = file(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }", data: [0, 0, 0, 0])
    expectDataError(.unsupported) { _ = try NPYArray.parse(bytes, path: "d.npy") }
  }

  @Test func shortDataIsTruncatedAndExtraDataABadHeader() {
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    expectDataError(.truncated) { _ = try NPYArray.parse(file(header: header, data: [0, 0, 0, 0]), path: "t.npy") }
    expectDataError(.badHeader) {
      _ = try NPYArray.parse(file(header: header, data: [UInt8](repeating: 0, count: 9)), path: "t.npy")
    }
    let full = NPYArray(shape: [2], values: .float32([1, 2])).encoded()
    expectDataError(.truncated) { _ = try NPYArray.parse(Array(full.prefix(20)), path: "t.npy") }
  }
}
