import Foundation
import Testing

@testable import SiamPipeline

@Suite struct RunFolderTests {
  /// Ids carry the second and 16 random bits, so 400 folders made in the same second would
  /// draw a taken id about 70 % of the time; mkdir(2) refuses a taken name and the id is
  /// drawn again, so every folder is new.
  @Test func foldersMadeInTheSameSecondAreDistinct() throws {
    let root = FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-folders-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    var ids = Set<String>()
    for _ in 0..<400 {
      ids.insert(try RunFolder.createUnique(in: root, what: "run").id)
    }
    #expect(ids.count == 400)
    #expect(try FileManager.default.contentsOfDirectory(atPath: root).count == 400)
  }

  @Test func anUncreatableParentIsOneClearError() throws {
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("siam-not-a-folder-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try Data("x".utf8).write(to: URL(fileURLWithPath: file))
    defer { try? FileManager.default.removeItem(atPath: file) }
    #expect(throws: RunError.self) { try RunFolder.createUnique(in: file + "/runs", what: "run") }
  }
}
