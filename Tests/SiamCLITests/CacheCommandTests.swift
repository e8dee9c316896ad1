import ArgumentParser
import Foundation
import SiamPipeline
import SiamStore
import Testing

@testable import siam

@Suite struct CacheCommandTests {
  @Test func helpTextsDocumentTheCacheCommands() {
    let root = SiamCommand.helpMessage()
    #expect(root.contains("siam cache ls") && root.contains("siam cache gc --dry-run"))
    let list = SiamCommand.helpMessage(for: CacheListCommand.self)
    for text in ["--runs", "--format", "live", "linked", "unreferenced", "siam cache ls --format json"] {
      #expect(list.contains(text), "missing \(text) in:\n\(list)")
    }
    let collect = SiamCommand.helpMessage(for: CacheCollectCommand.self, columns: 200)
    let texts = [
      "--runs", "--dry-run", "--older-than", "--include-work", "--format", "datasets/", "siam cache gc --older-than 7d",
    ]
    for text in texts {
      #expect(collect.contains(text), "missing \(text) in:\n\(collect)")
    }
  }

  @Test(arguments: [CompletionShell.bash, .zsh, .fish])
  func completionScriptsKnowTheCacheCommands(shell: CompletionShell) {
    let script = SiamCommand.completionScript(for: shell)
    for text in ["cache", "gc", "older-than", "include-work"] {
      #expect(script.contains(text), "\(shell) script lacks \(text)")
    }
  }

  @Test func durations() {
    #expect(DurationArgument.seconds("7d") == 7 * 86400 && DurationArgument.seconds("12h") == 12 * 3600)
    #expect(DurationArgument.seconds("30m") == 1800 && DurationArgument.seconds("45s") == 45)
    #expect(DurationArgument.seconds("1h30m") == 5400 && DurationArgument.seconds("1.5d") == 129_600)
    #expect(DurationArgument.seconds("2w") == 14 * 86400 && DurationArgument.seconds("0s") == 0)
    for bad in ["", "7", "d", "7x", "-1d", "7 d", "1.2.3h", "h7"] {
      #expect(DurationArgument.seconds(bad) == nil, "\(bad)")
    }
  }

  @Test func badInputIsOneClearError() throws {
    do {
      _ = try SiamCommand.parseAsRoot(["cache", "gc", "--older-than", "7x"])
      Issue.record("expected an error")
    } catch {
      #expect(SiamCommand.message(for: error).contains("cannot read '7x' as a duration"))
    }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["cache", "ls", "--format", "xml"]) }
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    for arguments in [
      ["cache", "ls", "--runs", fixture.pipeline], ["cache", "gc", "--runs", fixture.folder + "/missing"],
      ["cache", "gc", "--dry-run", "--runs", fixture.pipeline],
    ] {
      #expect(throws: ExitCode(1), "\(arguments)") { try fixture.siam(arguments) }
    }
  }

  @Test func byteCounts() {
    #expect(ByteCount.text(0) == "0 B" && ByteCount.text(1023) == "1023 B")
    #expect(ByteCount.text(1536) == "1.50 KiB" && ByteCount.text(20 * 1024 * 1024) == "20.0 MiB")
    #expect(ByteCount.text(300 * 1024 * 1024 * 1024) == "300 GiB")
  }

  /// Two runs with different temperatures, then gc: what the first run's folder links to
  /// stays until that folder is removed; then gc removes exactly those entries, the
  /// latest configuration is still all cache hits, and every run still shows.
  @Test func gcRemovesOnlyWhatNoRunNeeds() throws {
    let fixture = try CLIFixture()
    defer { fixture.remove() }
    let first = try fixture.run()
    let second = try fixture.run(["stages.pretrain.method.temperature=0.2"])
    let store = try RunStore.open(path: fixture.store)
    let firstFolder = try #require(try store.run(matching: first).directory)
    let secondFolder = try #require(try store.run(matching: second).directory)

    // ls: data (shared), pretrain and knn of each temperature.
    let inventory = try CacheInventory.scan(root: fixture.root)
    #expect(inventory.entries.count == 5)
    #expect(inventory.totals(.live).count == 3 && inventory.totals(.linked).count == 2)
    let options = try CacheOptions.parse(["--format", "csv"])
    let table = CacheListCommand.entryTable(inventory, options: options)
    #expect(table.columns == ["fingerprint", "kind", "stage", "state", "runs", "bytes", "created", "last used"])
    #expect(
      table.rows.contains { $0[2] == .text("tiny-cli/pretrain") && $0[3] == .text("live") && $0[4] == .integer(1) })
    #expect(table.rows.contains { $0[2] == .text("pretrain") && $0[3] == .text("linked") })
    #expect(CacheListCommand.summary(inventory).contains("3 live"))
    for format in OutputFormat.allCases.map(\.rawValue) {
      try fixture.siam(["cache", "ls", "--runs", fixture.root, "--format", format])
    }

    // gc keeps what the first run's folder links to: its report and rerun --verify read it.
    try fixture.siam(["cache", "gc", "--runs", fixture.root])
    #expect(try CacheInventory.scan(root: fixture.root).entries.count == 5)
    #expect(FileManager.default.fileExists(atPath: firstFolder + "/stages/pretrain/encoder.safetensors"))

    // Without the first run's folder, its two entries are unreferenced.
    try FileManager.default.removeItem(atPath: firstFolder)
    let old = inventory.entries.filter { $0.state == .linked }.map(\.path)
    try fixture.siam(["cache", "gc", "--runs", fixture.root, "--dry-run"])
    #expect(old.allSatisfy { FileManager.default.fileExists(atPath: $0 + "/manifest.json") }, "dry runs remove nothing")
    try fixture.siam(["cache", "gc", "--runs", fixture.root, "--format", "json"])
    let after = try CacheInventory.scan(root: fixture.root)
    #expect(old.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
    #expect(after.entries.count == 3 && after.entries.allSatisfy { $0.state == .live })
    #expect(after.folders.isEmpty, "\(after.folders)")

    // The latest configuration is still all cache hits; every run still shows.
    let third = try fixture.run(["stages.pretrain.method.temperature=0.2"])
    #expect(try store.stages(run: third).allSatisfy(\.isCacheHit))
    #expect(FileManager.default.fileExists(atPath: secondFolder + "/stages/pretrain/encoder.safetensors"))
    for run in [first, second, third] {
      try fixture.siam(["show", run, "--store", fixture.store, "--format", "json"])
    }
    let shown = try ShowCommand.tables(store: store, run: try store.run(matching: first))
    #expect(shown.first { $0.title == "artifacts" }?.rows.isEmpty == false, "the store keeps the first run's artifacts")
    #expect(try RecordedRun.read(second, root: fixture.root).stages.count == 3)
  }
}
