import Foundation
import SiamNN
import SiamTensor
import Testing
import _SiamTestSupport

private let sample: [String: Tensor] = [
  "layer1.0.conv1.weight": makeTestTensor([2, 3, 2, 2], seed: 1),
  "bn1.running_mean": Tensor([0.25, -1e-30, .greatestFiniteMagnitude]),
  "bn1.num_batches_tracked": Tensor(12),
  "empty": Tensor(zeros: [0, 3]),
]

/// The header-length word, the JSON header and the data section of a file.
private func parts(_ data: Data) -> (length: Int, header: [String: Any], body: Data) {
  let length = Int(data.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
  let header = try! JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as! [String: Any]
  return (length, header, data.subdata(in: (8 + length)..<data.count))
}

/// A file with this header (serialised as given) and data section.
private func file(header: String, body: Data = Data()) -> Data {
  var data = Data()
  withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
  data.append(Data(header.utf8))
  data.append(body)
  return data
}

private func temporaryPath(_ name: String) -> String {
  FileManager.default.temporaryDirectory.appendingPathComponent("siam-nn-\(UUID().uuidString)-\(name)").path
}

@Test func safeTensorsRoundTripIsBitExactWithMetadata() throws {
  let metadata = ["epoch": "3", "note": "ünïcode \"quoted\" / slash"]
  let path = temporaryPath("round.safetensors")
  defer { unlink(path) }
  try SafeTensors.write(sample, metadata: metadata, to: path)
  let (tensors, readMetadata) = try SafeTensors.read(from: path)
  #expect(readMetadata == metadata)
  #expect(Set(tensors.keys) == Set(sample.keys))
  for (key, value) in sample { #expect(tensors[key]!.isBitIdentical(to: value), "\(key)") }
}

@Test func safeTensorsLayoutIsSortedPaddedAndContiguous() {
  let data = SafeTensors.encode(sample, metadata: ["a": "b"])
  let (length, header, body) = parts(data)
  #expect(length % 8 == 0)
  #expect(data[8 + length - 1] == 0x20 || data[8 + length - 1] == UInt8(ascii: "}"))
  #expect((header["__metadata__"] as? [String: String]) == ["a": "b"])
  let entry = header["bn1.num_batches_tracked"] as! [String: Any]
  #expect(entry["dtype"] as? String == "F32")
  #expect((entry["shape"] as? [Int]) == [])
  // Keys sorted: bn1.num_batches_tracked, bn1.running_mean, empty, layer1.0.conv1.weight.
  #expect((entry["data_offsets"] as? [Int]) == [0, 4])
  #expect(((header["bn1.running_mean"] as! [String: Any])["data_offsets"] as? [Int]) == [4, 16])
  #expect(((header["empty"] as! [String: Any])["data_offsets"] as? [Int]) == [16, 16])
  #expect(((header["layer1.0.conv1.weight"] as! [String: Any])["data_offsets"] as? [Int]) == [16, 112])
  #expect(body.count == 112)
  // Little-endian 12.0 = 0x41400000.
  #expect(Array(body.prefix(4)) == [0x00, 0x00, 0x40, 0x41])
}

@Test func readsAFileWrittenByThePythonReference() throws {
  let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures/reference.safetensors").path
  let (tensors, metadata) = try SafeTensors.read(from: fixture)
  #expect(metadata == ["epoch": "3", "note": "ünïcode \"quoted\""])
  #expect(tensors["conv1.weight"]!.shape == [2, 3, 2, 2])
  #expect(tensors["conv1.weight"]!.scalars == (0..<24).map { Float($0) / 8 - 1 })
  #expect(tensors["bn1.running_var"]!.scalars == [0.5, 1.5])
  #expect(tensors["bn1.num_batches_tracked"]!.shape == [] && tensors["bn1.num_batches_tracked"]!.scalar == 7)
  #expect(tensors["layer1.0.bn1.bias"]!.scalars == [-1e-30, 3.4e38, Float(1.0 / 3.0)])
  #expect(tensors["empty"]!.shape == [0, 4])
}

/// One corrupt file per row: the bytes, the expected code and a phrase of the message.
private let corruptions: [(name: String, data: Data, code: NNError.Code, phrase: String)] = {
  let good = SafeTensors.encode(["w": Tensor([1, 2])])
  let f32 = #"{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#
  let eight = Data(count: 8)
  let sixteen = Data(count: 16)
  var hugeLength = Data(count: 16)
  hugeLength[0] = 0xFF
  hugeLength[7] = 0x7F
  return [
    ("empty file", Data(), .truncated, "fewer than the 8-byte header length"),
    ("header length past the end", good.prefix(20), .truncated, "runs past the end"),
    ("data cut short", good.dropLast(4), .truncated, "needs bytes 0..<8"),
    ("zero header length", Data(count: 8), .corruptHeader, "header length 0"),
    ("absurd header length", hugeLength, .corruptHeader, "header length"),
    ("bad JSON", file(header: #"{"w": {"dtype": "#), .corruptHeader, "not valid JSON"),
    ("JSON array", file(header: "[1, 2]"), .corruptHeader, "not a JSON object"),
    ("entry not an object", file(header: #"{"w": 3}"#), .corruptHeader, "'w' is not an object"),
    (
      "wrong dtype", file(header: #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, body: Data(count: 4)),
      .unsupportedDType, "dtype F16"
    ),
    (
      "missing shape", file(header: #"{"w":{"dtype":"F32","data_offsets":[0,8]}}"#, body: eight), .corruptHeader,
      "valid shape"
    ),
    (
      "negative extent", file(header: #"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, body: eight),
      .corruptHeader, "valid shape"
    ),
    (
      "fractional offset", file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}"#, body: eight),
      .corruptHeader, "valid data_offsets"
    ),
    (
      "reversed offsets", file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, body: eight),
      .corruptHeader, "valid data_offsets"
    ),
    (
      "shape and size disagree", file(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, body: eight),
      .corruptHeader, "shape [3] needs 3 floats"
    ),
    (
      "offsets out of range", file(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#, body: eight),
      .truncated, "needs bytes 8..<16"
    ),
    (
      "overlapping tensors",
      file(header: #"{"a":\#(f32),"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, body: Data(count: 12)),
      .corruptHeader, "overlaps"
    ),
    (
      "gap between tensors",
      file(header: #"{"a":\#(f32),"b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}}"#, body: sixteen),
      .corruptHeader, "gap"
    ),
    (
      "trailing bytes", file(header: #"{"a":\#(f32)}"#, body: sixteen), .corruptHeader,
      "cover 8 bytes but the data section has 16"
    ),
    ("metadata not strings", file(header: #"{"__metadata__":{"epoch":3}}"#), .corruptHeader, "strings to strings"),
  ]
}()

@Test func everyCorruptionIsAClearErrorNamingTheFile() throws {
  for corruption in corruptions {
    let path = temporaryPath("corrupt.safetensors")
    defer { unlink(path) }
    try corruption.data.write(to: URL(fileURLWithPath: path))
    do {
      _ = try SafeTensors.read(from: path)
      Issue.record("\(corruption.name): no error")
    } catch let error as NNError {
      #expect(error.code == corruption.code, "\(corruption.name): \(error)")
      #expect(error.path == path && error.description.hasPrefix(path + ": "), "\(corruption.name)")
      #expect(error.message.contains(corruption.phrase), "\(corruption.name): \(error.message)")
    }
  }
}

@Test func missingFilesAndUnwritableFoldersAreFileAccessErrors() {
  #expect { try SafeTensors.read(from: "/nonexistent/siam/model.safetensors") } throws: {
    ($0 as? NNError)?.code == .fileAccess && "\($0)".contains("/nonexistent/siam/model.safetensors")
  }
  #expect { try SafeTensors.write(sample, to: "/nonexistent/siam/model.safetensors") } throws: {
    ($0 as? NNError)?.code == .fileAccess
  }
}
