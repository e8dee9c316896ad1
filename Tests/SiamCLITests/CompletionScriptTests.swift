import ArgumentParser
import Foundation
import Testing

@testable import siam

/// `siam --generate-completion-script bash|zsh|fish`.
@Suite struct CompletionScriptTests {
  @Test(arguments: [CompletionShell.bash, .zsh, .fish])
  func scriptsNameEverySubcommandAndTheCustomCompletions(shell: CompletionShell) {
    let script = SiamCommand.completionScript(for: shell)
    #expect(script.count > 1000)
    for command in SiamCommand.configuration.subcommands {
      #expect(script.contains(command._commandName), "\(shell) script lacks \(command._commandName)")
    }
    // Pipeline files complete as YAML files; --format, --log-format and --color offer their values.
    for text in ["yaml", "markdown", "log-format", "never", "sqlite"] {
      #expect(script.contains(text), "\(shell) script lacks \(text)")
    }
  }

  @Test func theRootCommandGeneratesThemFromTheCommandLine() {
    do {
      _ = try SiamCommand.parseAsRoot(["--generate-completion-script", "zsh"])
      Issue.record("expected the script as an early exit")
    } catch {
      #expect(SiamCommand.fullMessage(for: error).contains("#compdef siam"))
    }
  }

  @Test func runIDsCompleteFromTheRunFolders() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("siam-completion-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    for name in ["20261129-031502-a3f9", "20261130-101010-0b9e", "cache"] {
      try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
      if name != "cache" {
        _ = FileManager.default.createFile(atPath: root + "/" + name + "/plan.json", contents: Data("{}".utf8))
      }
    }
    #expect(RunFolders.ids(in: root) == ["20261130-101010-0b9e", "20261129-031502-a3f9"])
    #expect(RunFolders.ids(in: root + "/missing") == [])
  }
}
