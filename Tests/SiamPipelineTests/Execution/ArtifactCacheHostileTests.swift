import Foundation
import SiamPipeline
import Testing

/// Cache entries are only what they claim: regular files inside the entry's folder.
/// Anything else is a corrupt entry, moved aside and recomputed, and never hangs a run.
@Suite struct ArtifactCacheHostileTests {
  /// Runs the fixture once, lets `damage` change the pretrain entry, then checks that the
  /// plan calls the entry corrupt with `reason` and that the next run recomputes it.
  private func expectCorrupt(_ reason: String, damage: (String) throws -> Void) throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let entry = try #require(first["pretrain"]?.entryDirectory)
    try damage(entry)
    let plan = try fixture.runner().plan(try fixture.spec())
    guard case .corrupt(let why) = plan["pretrain"]!.reason else {
      Issue.record("expected a corrupt entry, found \(plan["pretrain"]!.reason)")
      return
    }
    #expect(why.contains(reason), "\(why)")
    let second = try fixture.run()
    // Only the damaged entry is recomputed (downstream entries key on its fingerprint).
    #expect(second.stages(.completed) == ["pretrain"], "\(second.stages)")
    #expect(second.succeeded)
    #expect(try fixture.run().stages(.cached).count == 5)
  }

  @Test func aFileReplacedByASymlinkToDevZeroIsCorrupt() throws {
    try expectCorrupt("not a regular file") { entry in
      let file = entry + "/encoder.safetensors"
      try FileManager.default.removeItem(atPath: file)
      try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: "/dev/zero")
    }
  }

  @Test func aFileReplacedByAFIFOIsCorruptWithoutBlocking() throws {
    try expectCorrupt("not a regular file") { entry in
      let file = entry + "/encoder.safetensors"
      try FileManager.default.removeItem(atPath: file)
      #expect(mkfifo(file, 0o644) == 0)
    }
  }

  @Test func aManifestPathLeavingTheEntryIsCorrupt() throws {
    try expectCorrupt("leaves the entry") { entry in
      let manifest = entry + "/manifest.json"
      let text = try String(contentsOfFile: manifest, encoding: .utf8)
        .replacingOccurrences(of: "\"encoder.safetensors\"", with: "\"../../../../../../etc/hostname\"")
      try text.write(toFile: manifest, atomically: true, encoding: .utf8)
    }
  }

  @Test func aManifestThatIsAFIFOIsCorrupt() throws {
    try expectCorrupt("manifest.json is not a regular file") { entry in
      let manifest = entry + "/manifest.json"
      try FileManager.default.removeItem(atPath: manifest)
      #expect(mkfifo(manifest, 0o644) == 0)
    }
  }
}
