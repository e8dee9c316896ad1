import Testing

@testable import SiamPipeline

/// Canonical JSON bytes and the fingerprints built on them.
@Suite struct CanonicalJSONTests {
  @Test func keysAreSortedAndThereIsNoWhitespace() {
    let a: CanonicalJSON = ["b": 1, "a": ["y": true, "x": nil], "c": [1, "s"]]
    #expect(a.canonicalString == #"{"a":{"x":null,"y":true},"b":1,"c":[1,"s"]}"#)
  }

  @Test(arguments: [
    (1.0, "1"), (-0.0, "0"), (0.5, "0.5"), (0.1, "0.1"), (1e-6, "1e-6"), (1.5e300, "1.5e300"),
    (123456789.0, "123456789"), (1e20, "1e20"), (-2.5e-8, "-2.5e-8"), (9007199254740993.0, "9007199254740992"),
    (Double(Float(0.1)), "0.10000000149011612"),
  ])
  func numbersHaveOneShortestForm(value: Double, text: String) {
    #expect(CanonicalJSON.number(value).canonicalString == text)
  }

  @Test func stringsAreEscaped() {
    #expect(CanonicalJSON.string("a\"b\\c\n\u{1}é").canonicalString == "\"a\\\"b\\\\c\\n\\u0001é\"")
  }

  @Test func hashIsStable() {
    // Pinned: a change here changes every fingerprint (and invalidates every cache).
    let value: CanonicalJSON = ["kind": "knn", "parameters": ["k": 200, "temperature": 0.1]]
    #expect(value.canonicalString == #"{"kind":"knn","parameters":{"k":200,"temperature":0.1}}"#)
    #expect(value.sha256Hex == "9f529ea1b2c2bc103a7559d51ebcdef249b92bb5f56fbe114d0b5f49ca6dbff9")
  }

  @Test func flatteningUsesDottedKeys() {
    let value: CanonicalJSON = ["m": ["t": 0.5, "w": [1, 2]], "e": [:], "l": []]
    #expect(value.flattened() == ["m.t": 0.5, "m.w.0": 1, "m.w.1": 2, "e": [:], "l": []])
    #expect(value.flattened(prefix: "s")["s.m.t"] == 0.5)
  }

  static let ordered = """
    name: fp
    seed: 3
    stages:
      data: {kind: dataset, source: synthetic}
      pretrain:
        kind: pretrain
        needs: [data]
        views: [{preset: simclr, size: 28}, {preset: simclr, size: 28}]
        method: {type: simclr, temperature: 0.5}
        epochs: 2
    """

  static let reordered = """
    # the same pipeline: other key order, comments, flow style, another file name
    stages:
      pretrain:
        epochs: 2.0   # 2.0 is 2
        method:
          temperature: 0.50
          type: simclr
        views:
          - {size: 28, preset: simclr}
          - {size: 28, preset: simclr}
        needs: [data]
        kind: pretrain
      data: {source: synthetic, kind: dataset}
    seed: 3
    name: fp
    """

  static func fingerprints(_ yaml: String, file: String) throws -> [String: String] {
    let spec = try PipelineLoader.load(yaml: yaml, file: file).spec
    var out: [String: String] = [:]
    for stage in spec.orderedStages {
      out[stage.name] = stage.fingerprint(
        seed: spec.seed, inputFingerprints: stage.needs.map { out[$0]! },
        dataContentHash: stage.kind == "dataset" ? "abc" : nil, engineVersion: "0.1.0")
    }
    return out
  }

  @Test func fingerprintsIgnoreKeyOrderCommentsAndFileName() throws {
    let a = try Self.fingerprints(Self.ordered, file: "a.yaml")
    let b = try Self.fingerprints(Self.reordered, file: "elsewhere/b.yaml")
    #expect(a == b)
    #expect(a["pretrain"]?.count == 64)
  }

  @Test func fingerprintsChangeWithParametersSeedAndInputs() throws {
    let base = try Self.fingerprints(Self.ordered, file: "a.yaml")
    let hotter = try Self.fingerprints(
      Self.ordered.replacingOccurrences(of: "temperature: 0.5", with: "temperature: 0.6"), file: "a.yaml")
    #expect(base["data"] == hotter["data"])
    #expect(base["pretrain"] != hotter["pretrain"])
    let reseeded = try Self.fingerprints(
      Self.ordered.replacingOccurrences(of: "seed: 3", with: "seed: 4"), file: "a.yaml")
    #expect(base["pretrain"] != reseeded["pretrain"])
    let moreData = try Self.fingerprints(
      Self.ordered.replacingOccurrences(of: "source: synthetic}", with: "source: synthetic, samples: 9}"),
      file: "a.yaml")
    #expect(base["data"] != moreData["data"])
    #expect(base["pretrain"] != moreData["pretrain"])  // through the input fingerprint
  }

  @Test func writingADefaultExplicitlyChangesNothing() throws {
    let base = try Self.fingerprints(Self.ordered, file: "a.yaml")
    let explicit = try Self.fingerprints(
      Self.ordered.replacingOccurrences(
        of: "epochs: 2", with: "epochs: 2\n    batch_size: 256\n    optimizer: {type: sgd}"),
      file: "a.yaml")
    #expect(base == explicit)
  }
}
