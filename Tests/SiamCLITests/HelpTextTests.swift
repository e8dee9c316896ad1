import Foundation
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
    var command = try SiamCommand.parseAsRoot(["preview", "--dataset", "synthetic", "--samples", "3", "--views", "2", "-o", path])
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

@Suite struct ProgressPrinterTests {
  @Test func stepFractionParsesTheStepCounter() {
    #expect(ProgressPrinter.stepFraction("pretrain: epoch 1/15 step 51/234 loss 5.6 eta 0:24:44") == 51.0 / 234.0)
    #expect(ProgressPrinter.stepFraction("pretrain: done in 75.2 s") == nil)
    #expect(ProgressPrinter.stepFraction("step x/y") == nil)
  }

  @Test func barFillsWithTheFraction() {
    #expect(ProgressPrinter.bar(0) == "[--------------------]")
    #expect(ProgressPrinter.bar(0.5) == "[##########----------]")
    #expect(ProgressPrinter.bar(1) == "[####################]")
  }
}
