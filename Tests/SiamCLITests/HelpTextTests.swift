import ArgumentParser
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

  @Test func badArgumentsAreClearErrors() {
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
