import Testing

@testable import SiamPipeline

/// A pipeline with a small grid, for expansion tests (nothing runs).
enum SweepFixture {
  static let yaml = """
    name: tinysweep
    seed: 3
    stages:
      data: {kind: dataset, source: synthetic, samples: 64, test_samples: 32, classes: 4, shape: [1, 12, 12]}
      knn: {kind: knn, needs: [data], k: 5}
    sweep:
      grid:
        stages.knn.k: [3, 5]
        seed: [1, 2]
    """

  static func yaml(sweep: String) -> String {
    yaml.components(separatedBy: "sweep:\n")[0] + sweep
  }
}

@Suite struct SweepTests {
  @Test func gridPointsVaryTheLastKeyFastest() throws {
    let sweep = try Sweep.expand(yaml: SweepFixture.yaml, file: "s.yaml")
    #expect(
      sweep.points.map(\.overrides) == [
        ["stages.knn.k=3", "seed=1"], ["stages.knn.k=3", "seed=2"], ["stages.knn.k=5", "seed=1"],
        ["stages.knn.k=5", "seed=2"],
      ])
    #expect(sweep.points.map { $0.spec.seed } == [1, 2, 1, 2])
    #expect(sweep.points.map { ($0.spec.stages["knn"]!.parameters as! KNNParameters).k } == [[3], [3], [5], [5]])
    #expect(sweep.axes.map(\.path) == ["stages.knn.k", "seed"])
    #expect(sweep.axes[0].source == "s.yaml:8:5")
    #expect(sweep.points.allSatisfy { $0.spec.sweep == nil })
  }

  @Test func commandLineAxesMultiplyTheGrid() throws {
    let sweep = try Sweep.expand(
      yaml: SweepFixture.yaml, file: "s.yaml",
      arguments: ["stages.knn.temperature=0.1,0.2", "stages.data.samples=48", "stages.data.test_samples=16,24"])
    #expect(sweep.points.count == 16)
    #expect(sweep.fixedOverrides == ["stages.data.samples=48"])
    #expect(
      sweep.points[0].overrides == [
        "stages.knn.k=3", "seed=1", "stages.knn.temperature=0.1", "stages.data.test_samples=16",
      ])
    #expect(
      sweep.points[1].overrides == [
        "stages.knn.k=3", "seed=1", "stages.knn.temperature=0.1", "stages.data.test_samples=24",
      ])
    #expect(
      sweep.points[2].overrides == [
        "stages.knn.k=3", "seed=1", "stages.knn.temperature=0.2", "stages.data.test_samples=16",
      ])
    #expect(
      sweep.points[4].overrides == [
        "stages.knn.k=3", "seed=2", "stages.knn.temperature=0.1", "stages.data.test_samples=16",
      ])
    #expect(sweep.points.allSatisfy { $0.spec.stages["data"]!.resolvedParameters["samples"] == 48 })
    #expect(sweep.axes.map(\.source) == ["s.yaml:8:5", "s.yaml:9:5", "--set[1]", "--set[3]"])
  }

  @Test func aKeyGivenOnTheCommandLineReplacesTheFileAxis() throws {
    let fixed = try Sweep.expand(yaml: SweepFixture.yaml, arguments: ["seed=7"])
    #expect(fixed.points.map(\.overrides) == [["stages.knn.k=3"], ["stages.knn.k=5"]])
    #expect(fixed.points.allSatisfy { $0.spec.seed == 7 })
    let axis = try Sweep.expand(yaml: SweepFixture.yaml, arguments: ["stages.knn.k=range(1,4)"])
    #expect(
      axis.points.map(\.overrides) == [
        ["seed=1", "stages.knn.k=1"], ["seed=1", "stages.knn.k=2"], ["seed=1", "stages.knn.k=3"],
        ["seed=2", "stages.knn.k=1"], ["seed=2", "stages.knn.k=2"], ["seed=2", "stages.knn.k=3"],
      ])
  }

  @Test func withoutASweepBlockTheCommandLineAxesAreTheSweep() throws {
    let plain = SweepFixture.yaml(sweep: "")
    #expect(try Sweep.expand(yaml: plain).points.map(\.overrides) == [[]])
    let sweep = try Sweep.expand(yaml: plain, arguments: ["stages.knn.k=choice(1,2)"])
    #expect(sweep.points.map(\.overrides) == [["stages.knn.k=1"], ["stages.knn.k=2"]])
  }

  @Test func zipTakesTheValuesTogether() throws {
    let yaml = SweepFixture.yaml(sweep: "sweep:\n  zip:\n    stages.knn.k: [3, 5]\n    seed: [1, 2]\n")
    #expect(
      try Sweep.expand(yaml: yaml).points.map(\.overrides) == [
        ["stages.knn.k=3", "seed=1"], ["stages.knn.k=5", "seed=2"],
      ])
  }

  @Test func randomPointsAreDeterministicAndInRange() throws {
    let yaml = SweepFixture.yaml(
      sweep: """
        sweep:
          random:
            samples: 6
            seed: 11
            parameters:
              stages.knn.temperature: {log_uniform: [0.01, 1.0]}
              stages.knn.k: {int_uniform: [1, 9]}
              stages.data.source: {choice: [synthetic]}
        """)
    let first = try Sweep.expand(yaml: yaml)
    let second = try Sweep.expand(yaml: yaml)
    #expect(first.points.count == 6)
    #expect(first.points.map(\.overrides) == second.points.map(\.overrides))
    for point in first.points {
      let t = try #require(point.spec.stages["knn"]!.resolvedParameters["temperature"]?.doubleValue)
      let k = try #require((point.spec.stages["knn"]!.parameters as! KNNParameters).k.first)
      #expect(t >= 0.01 && t <= 1.0)
      #expect((1...9).contains(k))
    }
    #expect(Set(first.points.map(\.overrides)).count == 6)
    // Another seed draws other points; a parameter fixed on the command line leaves the others' draws alone.
    let reseeded = try Sweep.expand(yaml: yaml.replacingOccurrences(of: "seed: 11", with: "seed: 12"))
    #expect(reseeded.points.map(\.overrides) != first.points.map(\.overrides))
    let pinned = try Sweep.expand(yaml: yaml, arguments: ["stages.knn.k=4"])
    #expect(pinned.points.map { $0.overrides[0] } == first.points.map { $0.overrides[0] })
    #expect(pinned.points.allSatisfy { $0.overrides.count == 2 })
  }

  @Test func randomDrawsAreAFixedFunctionOfSeedPointAndPath() {
    // Pinned values: a change in the generator or the derivation shows here.
    let d = SweepSpec.Distribution.uniform(0, 1)
    #expect(d.draw(seed: 0, point: 0, path: "x") == d.draw(seed: 0, point: 0, path: "x"))
    #expect(d.draw(seed: 0, point: 0, path: "x") != d.draw(seed: 0, point: 1, path: "x"))
    #expect(d.draw(seed: 0, point: 0, path: "x") != d.draw(seed: 0, point: 0, path: "y"))
    let ints = (0..<200).map { SweepSpec.Distribution.intUniform(1, 3).draw(seed: 5, point: $0, path: "k").intValue! }
    #expect(Set(ints) == [1, 2, 3])
  }

  /// The error text of an expansion, or nil.
  func error(_ yaml: String, _ arguments: [String] = []) -> String? {
    do {
      _ = try Sweep.expand(yaml: yaml, file: "s.yaml", arguments: arguments)
      return nil
    } catch {
      return error.description
    }
  }

  @Test func badPointsNameTheArgumentOrTheFilePosition() {
    #expect(
      error(SweepFixture.yaml, ["stages.knn.temperature=0.1,-1"])
        == "--set[1]:1:28: error: stages.knn.temperature: expected a number > 0, found integer -1 "
        + "(sweep point 2 of 8: stages.knn.k=3, seed=1, stages.knn.temperature=-1)")
    #expect(
      error(SweepFixture.yaml, ["stages.knn.kk=1,2"])
        == "--set[1]:1:1: error: stages.knn.kk: unknown key (sweep point 1 of 8: stages.knn.k=3, seed=1, stages.knn.kk=1); did you mean 'k'?"
    )
    let file = error(SweepFixture.yaml(sweep: "sweep:\n  grid:\n    stages.knn.k: [3, 0]\n"))
    #expect(file?.hasPrefix("s.yaml:8:23: error: stages.knn.k") == true, "\(file ?? "")")
    #expect(
      error(SweepFixture.yaml, ["seed=range(1)"])?.hasPrefix("--set[1]:1:6: error: seed: expected range(start, stop)")
        == true)
    #expect(error(SweepFixture.yaml, ["seed=range(0,20000)"])?.contains("more than 10000") == true)
    #expect(
      error(SweepFixture.yaml, ["seed=range(0,200)", "stages.knn.k=range(1,200)"])
        == "s.yaml:7:3: error: sweep: the sweep has 39800 points, more than 10000")
    #expect(product(.max, 2) == .max)
    let wide = SweepFixture.yaml(
      sweep: "sweep:\n  random: {samples: 3, parameters: {stages.knn.k: {int_uniform: [1, 99999999999999999]}}}\n")
    #expect(error(wide)?.contains("2^53") == true, "\(error(wide) ?? "")")
  }

  @Test func pipelineFileAxesAreValidPoints() throws {
    let sweep = try Sweep.expand(path: TestPaths.pipelines + "/ablation-temperature.yaml")
    #expect(sweep.points.count == 8)
    #expect(sweep.points[1].overrides == ["stages.pretrain.method.temperature=0.05", "seed=2"])
  }
}
