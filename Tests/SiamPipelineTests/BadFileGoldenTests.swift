import Foundation
import Testing

@testable import SiamPipeline

/// Every `Fixtures/bad/NAME.yaml` fails to load with exactly the diagnostics in
/// `NAME.expected` (one a line, file names relative to `Fixtures/`).
///
/// To regenerate after an intended change of messages: `SIAM_UPDATE_GOLDEN=1 swift test
/// --filter BadFileGoldenTests`, then review the diff.
@Suite struct BadFileGoldenTests {
  static let files = TestPaths.yamlFiles(in: "\(TestPaths.fixtures)/bad")

  /// The diagnostics of `path`, with the fixtures folder left out of file names.
  static func diagnostics(of path: String) -> String? {
    do {
      _ = try PipelineLoader.load(path: path)
      return nil
    } catch {
      return error.description.replacingOccurrences(of: TestPaths.fixtures + "/", with: "") + "\n"
    }
  }

  @Test func thereAreAtLeastTwentyBadFiles() {
    #expect(Self.files.count >= 20)
  }

  @Test(arguments: files)
  func badFileGivesExpectedDiagnostics(path: String) throws {
    let expectedPath = path.replacingOccurrences(of: ".yaml", with: ".expected")
    let actual = try #require(Self.diagnostics(of: path), "\(path) loaded without errors")
    if ProcessInfo.processInfo.environment["SIAM_UPDATE_GOLDEN"] == "1" {
      try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
    }
    let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
    #expect(actual == expected)
  }

  @Test func diagnosticsAreSortedByPosition() throws {
    let path = "\(TestPaths.fixtures)/bad/multiple-errors.yaml"
    do {
      _ = try PipelineLoader.load(path: path)
      Issue.record("expected errors")
    } catch {
      #expect(error.diagnostics.count >= 8)
      #expect(error.diagnostics.map(\.location) == error.diagnostics.map(\.location).sorted())
    }
  }
}
