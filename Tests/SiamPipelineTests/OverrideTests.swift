import Testing

@testable import SiamPipeline

/// `--set key.path=value`, `+key.path=value`, `~key.path`.
@Suite struct OverrideTests {
  static let path = "\(TestPaths.pipelines)/quickstart.yaml"

  static func load(_ overrides: [String]) throws(PipelineError) -> PipelineSpec {
    try PipelineLoader.load(path: path, overrides: overrides).spec
  }

  static func errors(_ overrides: [String]) -> String {
    do {
      _ = try load(overrides)
      return ""
    } catch {
      return error.description.replacingOccurrences(of: TestPaths.pipelines + "/", with: "")
    }
  }

  @Test func setReplacesAValueParsedAsYAML() throws {
    let spec = try Self.load(["stages.pretrain.method.temperature=0.2", "stages.knn.k=[5, 50]", "seed=11"])
    #expect(spec.flattenedParameters["stages.pretrain.method.temperature"] == 0.2)
    #expect((spec.stages["knn"]!.parameters as! KNNParameters).k == [5, 50])
    #expect(spec.seed == 11)
  }

  @Test func setMayGiveAKeyTheFileLeftToItsDefault() throws {
    let spec = try Self.load(["stages.pretrain.method.projector_batch_norm=false"])
    #expect(spec.flattenedParameters["stages.pretrain.method.projector_batch_norm"] == false)
  }

  @Test func setAddressesListItemsByIndex() throws {
    let spec = try Self.load(["augmentations.view.1.horizontal_flip.p=0.25"])
    #expect(spec.flattenedParameters["stages.pretrain.views.0.1.horizontal_flip.p"] == 0.25)
  }

  @Test func addCreatesMappingsAndDeleteRemovesKeys() throws {
    let spec = try Self.load([
      "+stages.health={kind: diagnostics, needs: [pretrain]}",
      "~stages.knn",
      "~stages.data.limit",
    ])
    #expect(spec.stages["health"]?.kind == "diagnostics")
    #expect(spec.stages["knn"] == nil)
    #expect((spec.stages["data"]!.parameters as! DatasetParameters).limit == nil)
  }

  @Test func typeErrorsInOverridesPointAtTheOverride() {
    #expect(
      Self.errors(["stages.pretrain.epochs=ten"])
        == "--set[1]:1:24: error: stages.pretrain.epochs: expected an integer in [1, 10000], found string 'ten'")
    #expect(
      Self.errors(["seed=1", "stages.pretrain.method.temperature=-1"])
        == "--set[2]:1:36: error: stages.pretrain.method.temperature: expected a number > 0, found integer -1")
  }

  @Test func unknownKeysInOverridesSuggestTheNearest() {
    #expect(
      Self.errors(["stages.pretrian.epochs=3"])
        == "--set[1]:1:1: error: stages.pretrian: no such key (prefix the override with + to add it); did you mean 'pretrain'?"
    )
    #expect(
      Self.errors(["stages.pretrain.method.temprature=0.1"])
        == "--set[1]:1:1: error: stages.pretrain.method.temprature: unknown key; did you mean 'temperature'?")
    #expect(Self.errors(["~stages.nothing"]) == "--set[1]:1:2: error: stages.nothing: no such key")
  }

  @Test func malformedOverridesAreErrors() {
    #expect(
      Self.errors(["stages.pretrain.epochs"])
        == "--set[1]:1:1: error: stages.pretrain.epochs: expected '=' and a value (or ~stages.pretrain.epochs to delete the key)"
    )
    #expect(Self.errors(["+seed=3"]) == "--set[1]:1:2: error: seed: already set; use seed=VALUE to replace it")
    #expect(Self.errors(["stages.knn.k=[1, 2"]).hasPrefix("--set[1]:1:19: error: invalid YAML: "))
    #expect(
      Self.errors(["augmentations.view.9.p=1"])
        == "--set[1]:1:1: error: augmentations.view.9: expected an index into a list of 3 items, found '9'")
  }

  @Test func allOverrideErrorsAreReported() {
    let text = Self.errors(["a.b=1", "stages.x.y=2"])
    #expect(text.split(separator: "\n").count == 2)
  }
}
