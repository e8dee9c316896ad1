import Foundation
import Testing

@testable import SiamPipeline

/// The JSON Schema: the committed file is the generated one, pipelines validate against it,
/// and it agrees with the decoder on good and bad files.
@Suite struct PipelineSchemaTests {
  static let validator = JSONSchemaValidator(root: PipelineSchema.document())

  /// A file as written (no includes merged), as JSON: what an editor validates.
  static func document(_ path: String) throws -> CanonicalJSON {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return try #require(try SpecNode.parse(yaml: text, file: path, fileRank: 0)).rawJSON
  }

  /// Bad fixtures that only the decoder can reject: references, the DAG, includes, checks
  /// across fields, and YAML-level problems (a schema sees no duplicate keys or aliases).
  static let decoderOnly: Set<String> = [
    "cycle", "missing-stage-reference", "unknown-augmentation-reference", "unknown-encoder-reference",
    "wrong-input-kind", "missing-needs", "self-needs", "queue-not-multiple", "convnet-strides-mismatch",
    "blur-both-kernels", "momentum-order", "crop-scale-order", "bad-sweep", "include-missing", "include-cycle",
    "syntax-error", "duplicate-key", "bad-merge-key", "undefined-alias", "local-views-for-simclr",
  ]

  @Test func committedSchemaIsUpToDate() throws {
    let generated = PipelineSchema.json()
    if ProcessInfo.processInfo.environment["SIAM_UPDATE_GOLDEN"] == "1" {
      try generated.write(toFile: TestPaths.schemaFile, atomically: true, encoding: .utf8)
    }
    let committed = try String(contentsOfFile: TestPaths.schemaFile, encoding: .utf8)
    #expect(
      committed == generated,
      "schemas/pipeline.schema.json is stale: run SIAM_UPDATE_GOLDEN=1 swift test --filter PipelineSchemaTests")
  }

  @Test func schemaDescribesEveryStageKind() throws {
    let document = PipelineSchema.document()
    #expect(document["$schema"] == "https://json-schema.org/draft/2020-12/schema")
    let branches = try #require(document["$defs"]?["stage"]?["oneOf"]?.arrayValue)
    #expect(branches.count == StageKindRegistry.standard.names.count)
    for name in StageKindRegistry.standard.names {
      let kind = StageKindRegistry.standard[name]!
      let branch = try #require(
        branches.first {
          $0["properties"]?["kind"]?["const"] == .string(name)
            || $0["oneOf"]?.arrayValue?.first?["properties"]?["kind"]?["const"] == .string(name)
        })
      let properties =
        (branch["properties"]?.objectValue.map { Array($0.keys) } ?? [])
        + (branch["oneOf"]?.arrayValue?.flatMap { $0["properties"]?.objectValue.map { Array($0.keys) } ?? [] } ?? [])
      #expect(Set(properties) == Set(kind.allowedKeys), "\(name)")
    }
  }

  @Test(arguments: TestPaths.yamlFiles(in: TestPaths.pipelines) + TestPaths.yamlFiles(in: "\(TestPaths.fixtures)/good"))
  func goodFilesValidateAgainstTheSchema(path: String) throws {
    #expect(Self.validator.errors(try Self.document(path)) == [], "\(path)")
  }

  @Test(arguments: TestPaths.yamlFiles(in: "\(TestPaths.fixtures)/bad"))
  func schemaRejectsWhatTheDecoderRejectsStructurally(path: String) throws {
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    guard !Self.decoderOnly.contains(name) else { return }
    #expect(!Self.validator.errors(try Self.document(path)).isEmpty, "\(name) passes the schema")
  }

  @Test func decoderOnlyFilesAreValidYAMLThatTheSchemaAccepts() throws {
    // Documents the split: these pass the schema (or are not YAML) and only the decoder catches them.
    for name in [
      "cycle", "missing-stage-reference", "queue-not-multiple", "crop-scale-order", "local-views-for-simclr",
    ] {
      let path = "\(TestPaths.fixtures)/bad/\(name).yaml"
      #expect(Self.validator.errors(try Self.document(path)) == [], "\(name)")
    }
  }
}
