import Testing

@testable import SiamPipeline

@Suite struct SweepArgumentTests {
  /// The values of an axis argument as canonical JSON text, or nil for a fixed override.
  func values(_ text: String, index: Int = 0) throws -> [String]? {
    guard case .axis(let axis) = try SweepArgument.parse(text, index: index) else { return nil }
    return axis.values.map(\.rawJSON.canonicalString)
  }

  @Test func commaListsAreAxes() throws {
    #expect(try values("stages.knn.k=5,20,200") == ["5", "20", "200"])
    #expect(try values("stages.pretrain.method.type=simclr, byol") == [#""simclr""#, #""byol""#])
    #expect(try values("x=0.1,1e-3,true,null") == ["0.1", "0.001", "true", "null"])
  }

  @Test func singleValuesStayFixedOverrides() throws {
    #expect(try values("stages.knn.k=5") == nil)
    #expect(try values("stages.pretrain.method.projector=[128,64]") == nil)
    #expect(try values("stages.pretrain.optimizer={type: sgd, lr: 0.1}") == nil)
    #expect(try values("~stages.knn") == nil)
    #expect(try values("description='a, b'") == nil)
    #expect(try values(#"description="a, b""#) == nil)
  }

  @Test func quotesAndBracketsDoNotSplit() throws {
    #expect(try values(#"description='a,b',"c,d",e"#) == [#""a,b""#, #""c,d""#, #""e""#])
    #expect(try values("stages.pretrain.method.projector=choice([128,64],[64,32])") == ["[128,64]", "[64,32]"])
  }

  @Test func rangesStopBeforeTheEnd() throws {
    #expect(try values("seed=range(1,4)") == ["1", "2", "3"])
    #expect(try values("seed=range(3,0,-1)") == ["3", "2", "1"])
    #expect(try values("x=range(0,1,0.25)") == ["0", "0.25", "0.5", "0.75"])
    // Rounded to the arguments' decimals: no 0.30000000000000004.
    #expect(try values("x=range(0,0.5,0.1)") == ["0", "0.1", "0.2", "0.3", "0.4"])
    #expect(try values("x=range(0.5, 2)") == ["0.5", "1.5"])
    #expect(try values("x=range(0,3e-300,1e-300)") == ["0", "1e-300", "2e-300"])
    #expect(try values("x=range(-2,1)") == ["-2", "-1", "0"])
  }

  @Test func choiceListsItsValues() throws {
    #expect(try values("stages.pretrain.method.type=choice(simclr,byol)") == [#""simclr""#, #""byol""#])
    #expect(try values("x=choice(1)") == ["1"])
  }

  @Test func isAxisTellsListsFromSingleValues() {
    #expect(Sweep.isAxis("stages.knn.k=5,20"))
    #expect(Sweep.isAxis("seed=range(1,3)"))
    #expect(!Sweep.isAxis("stages.knn.k=5"))
    #expect(!Sweep.isAxis("stages.knn.k=[5,20]"))
    #expect(!Sweep.isAxis("seed=range(3,1)"))
  }

  @Test func addPrefixIsKept() throws {
    guard case .axis(let axis) = try SweepArgument.parse("+stages.pretrain.knn_every_epochs=1,2", index: 0) else {
      Issue.record("expected an axis")
      return
    }
    #expect(axis.operation == .add)
    #expect(axis.dottedPath == "stages.pretrain.knn_every_epochs")
  }

  /// The error text of a bad argument, or nil.
  func error(_ text: String, index: Int = 1) -> String? {
    do {
      _ = try SweepArgument.parse(text, index: index)
      return nil
    } catch {
      return error.description
    }
  }

  @Test func malformedArgumentsNameTheirPosition() {
    #expect(
      error("seed=range(1)")
        == "--set[2]:1:6: error: seed: expected range(start, stop) or range(start, stop, step), found 'range(1)'")
    #expect(error("seed=range(1,4,0)") == "--set[2]:1:16: error: seed: the step of range(...) must not be 0")
    #expect(error("seed=range(4,1)") == "--set[2]:1:6: error: seed: range(4,1) is empty (stop is exclusive)")
    #expect(error("seed=range(1,x)") == "--set[2]:1:14: error: seed: expected a number in range(...), found 'x'")
    #expect(error("x=1,,2") == "--set[2]:1:5: error: empty value in a comma-separated list")
    #expect(error("x=1,'a,2") == "--set[2]:1:5: error: unclosed quote")
    #expect(error("x=1,['a',2") == "--set[2]:1:5: error: unclosed bracket")
    #expect(error("x=1,2)") == "--set[2]:1:6: error: unbalanced ')'")
    #expect(error("x=choice()") == "--set[2]:1:3: error: x: choice() needs at least one value")
    #expect(error("x=range(0,1,0.00001)")?.contains("more than 10000 values") == true)
    // A step that underflows to 0 is an error, not a trap.
    #expect(error("x=range(0,1,0." + String(repeating: "0", count: 400) + "1)")?.contains("must not be 0") == true)
    #expect(error("x=range(0,1e308,1e300)")?.contains("more than 10000 values") == true)
  }
}
