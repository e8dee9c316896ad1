import Foundation
import SiamData
import Testing

/// Files written by NumPy 2.4 (`numpy.save` into a `BytesIO`, base64): the reader takes
/// them and the writer reproduces them byte for byte.
@Suite struct NPYArrayNumPyTests {
  /// `numpy.arange(24, dtype=numpy.uint8).reshape(2, 2, 2, 3)`.
  static let uint8NHWC =
    "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDIsIDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhc="
  /// `numpy.array([[0.5, -1, 2.25], [3, 4, 5]], dtype=numpy.float32)`.
  static let float32 =
    "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAA/AACAvwAAEEAAAEBAAACAQAAAoEA="
  /// `numpy.array([3, 1, 4], dtype=numpy.int64)`.
  static let int64 =
    "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDMsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoDAAAAAAAAAAEAAAAAAAAABAAAAAAAAAA="
  /// `numpy.asfortranarray(numpy.arange(6, dtype=numpy.uint8).reshape(2, 3))`.
  static let fortran =
    "k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAwEEAgU="

  func decoded(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

  @Test func readsAndReproducesNumPyFiles() throws {
    let expected: [(String, NPYArray)] = [
      (Self.uint8NHWC, NPYArray(shape: [2, 2, 2, 3], values: .uint8((0..<24).map(UInt8.init)))),
      (Self.float32, NPYArray(shape: [2, 3], values: .float32([0.5, -1, 2.25, 3, 4, 5]))),
      (Self.int64, NPYArray(shape: [3], values: .int64([3, 1, 4]))),
    ]
    for (file, array) in expected {
      #expect(try NPYArray.parse(decoded(file), path: "numpy.npy") == array)
      #expect(array.encoded() == decoded(file))
    }
  }

  @Test func numPyFortranOrderIsUnsupported() {
    expectDataError(.unsupported) { _ = try NPYArray.parse(decoded(Self.fortran), path: "f.npy") }
  }
}
