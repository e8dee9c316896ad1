import ArgumentParser
import Foundation
import SiamPipeline

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a pipeline file: syntax, keys, types, ranges and the stage graph. Runs nothing.",
    discussion: HelpText.reflowed(
      """
      Every problem is reported as file:line:column: error: key.path: message, with the
      nearest known key for a typo. Exits with status 1 when there is an error.

      Examples:
        siam validate pipelines/quickstart.yaml
        siam validate pipelines/simclr-fashion.yaml --set stages.pretrain.method.temperature=0.2
      """)
  )

  @Argument(help: "The pipeline file.", completion: .file(extensions: ["yaml", "yml"]))
  var file: String

  @Option(
    name: .customLong("set"), help: "Override a key: key.path=value, +key.path=value to add, ~key.path to delete.")
  var overrides: [String] = []

  func run() throws {
    let loaded: (spec: PipelineSpec, warnings: [Diagnostic])
    do {
      loaded = try PipelineLoader.load(path: file, overrides: overrides)
    } catch {
      FileHandle.standardError.write(Data((error.description + "\n").utf8))
      throw ExitCode(1)
    }
    for warning in loaded.warnings { print(warning.description) }
    let order = loaded.spec.orderedStages.map { "\($0.name) (\($0.kind))" }
    print("\(file): valid pipeline '\(loaded.spec.name)', \(order.count) stages: \(order.joined(separator: " → "))")
  }
}

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema",
    abstract: "Print the JSON Schema of pipeline files (for editors: yaml-language-server).",
    discussion: HelpText.reflowed(
      """
      The same schema is committed as schemas/pipeline.schema.json. Point an editor at it with
      a first line such as:
        # yaml-language-server: $schema=../schemas/pipeline.schema.json

      Examples:
        siam schema > schemas/pipeline.schema.json
        siam schema | jq '.properties.stages'
      """)
  )

  func run() throws {
    print(PipelineSchema.json())
  }
}
