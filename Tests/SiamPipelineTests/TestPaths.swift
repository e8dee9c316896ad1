import Foundation

/// Folders the tests read: the package root, `pipelines/`, `schemas/` and the fixtures.
enum TestPaths {
  static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
  static let packageRoot = URL(fileURLWithPath: testsFolder).deletingLastPathComponent().deletingLastPathComponent()
    .path
  static let fixtures = "\(testsFolder)/Fixtures"
  static let pipelines = "\(packageRoot)/pipelines"
  static let schemaFile = "\(packageRoot)/schemas/pipeline.schema.json"

  /// The `.yaml` files directly in `folder`, sorted.
  static func yamlFiles(in folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted().map { "\(folder)/\($0)" }
  }
}
