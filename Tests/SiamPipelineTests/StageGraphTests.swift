import Testing

@testable import SiamPipeline

/// `needs:` → DAG: order, cycles, references, input kinds.
@Suite struct StageGraphTests {
  @Test func orderIsTopologicalAndAlphabeticalAmongReadyStages() {
    let order = StageGraph.topologicalOrder(["d": [], "p": ["d"], "z": ["d"], "a": ["p"], "b": ["p", "z"]])
    #expect(order == ["d", "p", "a", "z", "b"])
  }

  @Test func cyclesNameEveryStageInOrder() {
    #expect(StageGraph.findCycles(["a": ["b"], "b": ["c"], "c": ["a"], "d": []]) == [["a", "b", "c"]])
    #expect(StageGraph.findCycles(["x": ["y"], "y": ["x"], "a": ["b"], "b": ["a"]]) == [["a", "b"], ["x", "y"]])
    #expect(StageGraph.findCycles(["a": ["b"], "b": []]).isEmpty)
  }

  @Test func cycleDiagnosticReadsAsAChain() throws {
    do {
      _ = try PipelineLoader.load(path: "\(TestPaths.fixtures)/bad/cycle.yaml")
      Issue.record("expected a cycle")
    } catch {
      let cycle = try #require(error.diagnostics.first { $0.code == .cycle })
      #expect(cycle.message == "cycle in needs: a → c → b → a")
    }
  }

  @Test func dependentsAreListed() throws {
    let spec = try PipelineLoader.load(path: "\(TestPaths.pipelines)/quickstart.yaml").spec
    #expect(spec.graph.dependents(of: "pretrain") == ["knn", "linear"])
    #expect(spec.graph.dependencies["pretrain"] == ["data"])
    #expect(spec.orderedStages.map(\.name) == spec.graph.order)
  }

  @Test func suggestionsUseEditDistanceOrPrefix() {
    #expect(Suggestion.nearest(to: "metod", in: ["method", "epochs"]) == "method")
    #expect(Suggestion.nearest(to: "mehtod", in: ["method", "epochs"]) == "method")  // transposition
    #expect(Suggestion.nearest(to: "batch", in: ["batch_size", "epochs"]) == "batch_size")  // prefix
    #expect(Suggestion.nearest(to: "zzzzzz", in: ["method", "epochs"]) == nil)
    #expect(Suggestion.distance("ca", "abc") == 3)
    #expect(Suggestion.distance("abcd", "acbd") == 1)
  }
}
