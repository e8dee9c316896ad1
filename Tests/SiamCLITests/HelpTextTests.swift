import ArgumentParser
import Foundation
import Testing

@testable import siam

@Suite struct HelpTextTests {
  @Test func rootHelpListsCommandsAndExamples() {
    let help = SiamCommand.helpMessage()
    #expect(help.contains("USAGE: siam <subcommand>"))
    #expect(help.contains("bench"))
    #expect(help.contains("info"))
    #expect(help.contains("siam bench --json"))
  }

  @Test func benchHelpDocumentsItsOptions() {
    let help = SiamCommand.helpMessage(for: BenchCommand.self)
    for option in ["--json", "--trials", "--only", "--threads", "--quick"] {
      #expect(help.contains(option), "missing \(option) in:\n\(help)")
    }
    #expect(help.contains("simclr-convnet"))
  }

  /// The root command and every subcommand, depth first.
  static func allCommands(_ root: any ParsableCommand.Type = SiamCommand.self) -> [any ParsableCommand.Type] {
    [root] + root.configuration.subcommands.flatMap { allCommands($0) }
  }

  /// Every subcommand with its full name (`cache gc`), depth first.
  static func namedCommands(_ root: any ParsableCommand.Type = SiamCommand.self, prefix: String = "")
    -> [(name: String, command: any ParsableCommand.Type)]
  {
    root.configuration.subcommands.flatMap { command in
      let name = prefix + command._commandName
      return [(name, command)] + namedCommands(command, prefix: name + " ")
    }
  }

  @Test func everyCommandHasAnAbstractAndExamples() {
    let commands = Self.allCommands()
    #expect(commands.count >= 14)
    #expect(Self.namedCommands().count == commands.count - 1)
    #expect(!SiamCommand.configuration.abstract.isEmpty && SiamCommand.helpMessage(columns: 100).contains("Examples:"))
    for (name, command) in Self.namedCommands() {
      let help = SiamCommand.helpMessage(for: command, columns: 100)
      #expect(!command.configuration.abstract.isEmpty, "\(name) has no abstract")
      #expect(help.contains("Examples:"), "siam \(name) --help has no Examples: section:\n\(help)")
      // Each example line of a subcommand runs that subcommand.
      #expect(help.contains("siam \(name)"), "siam \(name) --help has no example of itself")
    }
  }

  /// Each prose paragraph of a discussion is one line, which swift-argument-parser wraps
  /// to the width: no ragged short lines at 80 columns.
  @Test func discussionsAreReflowedParagraphs() {
    for command in Self.allCommands() {
      let lines = command.configuration.discussion.split(separator: "\n", omittingEmptySubsequences: false)
      for (line, next) in zip(lines, lines.dropFirst()) {
        let isProse = { (text: Substring) in !text.isEmpty && !text.hasPrefix(" ") }
        #expect(!(isProse(line) && isProse(next)), "siam \(command._commandName): a paragraph breaks after '\(line)'")
      }
    }
    #expect(HelpText.reflowed("a b\nc d\n\n  x\n  y\ne") == "a b c d\n\n  x\n  y\ne")
  }

  @Test func commandsThatRunStagesShareTheProgressOptions() {
    for command in [RunCommand.self, SweepCommand.self, RerunCommand.self] as [any ParsableCommand.Type] {
      let help = SiamCommand.helpMessage(for: command, columns: 100)
      for option in ["--quiet", "--log-format", "--color", "--json", "--store", "--threads"] {
        #expect(help.contains(option), "missing \(option) in siam \(command._commandName) --help")
      }
    }
  }

  @Test func badArgumentsAreClearErrors() {
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["run", "x.yaml", "--log-format", "xml"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["runs", "--color", "sometimes"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["bench", "--only", "sgem"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["bench", "--trials", "0"]) }
    #expect(throws: (any Error).self) { try SiamCommand.parseAsRoot(["info", "--threads", "0"]) }
  }

  @Test func unknownPartMessageNamesTheKnownParts() throws {
    do {
      _ = try SiamCommand.parseAsRoot(["bench", "--only", "sgem"])
      Issue.record("expected an error")
    } catch {
      let message = SiamCommand.message(for: error)
      #expect(message.contains("unknown part 'sgem'"))
      #expect(message.contains("simclr-resnet18"))
    }
  }
}

@Suite struct PreviewCommandTests {
  @Test func helpNamesPresetsAndOutput() {
    let help = SiamCommand.helpMessage(for: PreviewCommand.self)
    for text in ["--preset", "--output", "byol_view1", "--strength", "siam preview -o preview.png"] {
      #expect(help.contains(text), "missing \(text)")
    }
  }

  @Test func writesAPNGOfTheSyntheticSet() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("siam-preview-\(getpid()).png").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var command = try SiamCommand.parseAsRoot([
      "preview", "--dataset", "synthetic", "--samples", "3", "--views", "2", "-o", path,
    ])
    try command.run()
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
  }

  @Test func unknownPresetIsAClearError() {
    do {
      _ = try SiamCommand.parseAsRoot(["preview", "--preset", "simclr,bogus"])
      Issue.record("expected an error")
    } catch {
      #expect(SiamCommand.message(for: error).contains("unknown preset 'bogus'"))
    }
  }
}
