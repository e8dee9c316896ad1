import Foundation
import SiamNN
import SiamSSL
import Testing

@testable import SiamPipeline

/// Good files: what they decode to, with defaults filled in; includes, anchors and merge
/// keys; every file under `pipelines/`.
@Suite struct PipelineLoaderTests {
  static func load(_ yaml: String, overrides: [String] = []) throws -> PipelineSpec {
    try PipelineLoader.load(yaml: yaml, file: "test.yaml", overrides: overrides).spec
  }

  static let quickstart = "\(TestPaths.pipelines)/quickstart.yaml"

  @Test(arguments: TestPaths.yamlFiles(in: TestPaths.pipelines))
  func everyPipelineValidates(path: String) throws {
    let (spec, _) = try PipelineLoader.load(path: path)
    #expect(!spec.stages.isEmpty)
    #expect(spec.graph.order.count == spec.stages.count)
  }

  @Test func pipelinesFolderHasTheExamples() {
    let names = Set(TestPaths.yamlFiles(in: TestPaths.pipelines).map { ($0 as NSString).lastPathComponent })
    for name in [
      "quickstart.yaml", "simclr-fashion.yaml", "moco-fashion.yaml", "byol-fashion.yaml",
      "compare-methods.yaml", "ablation-temperature.yaml", "mocov3-fashion.yaml", "nnclr-fashion.yaml",
      "swav-fashion.yaml", "dino-fashion.yaml",
    ] {
      #expect(names.contains(name), "\(name)")
    }
  }

  /// Each of the methods has its recipe on full Fashion-MNIST (`<name>-fashion.yaml`).
  @Test func everyMethodHasAFashionRecipe() throws {
    var recipes: [String: String] = [:]
    for path in TestPaths.yamlFiles(in: TestPaths.pipelines) where path.hasSuffix("-fashion.yaml") {
      let spec = try PipelineLoader.load(path: path).spec
      guard let pretrain = try spec.stages["pretrain"]?.parameters(as: PretrainParameters.self) else { continue }
      #expect(spec.stages["data"]?.resolvedParameters["limit"] ?? .null == .null, "\(path): all the data")
      recipes[pretrain.method.name] = (path as NSString).lastPathComponent
    }
    for method in MethodSpec.methods.map(\.variant.name) {
      #expect(recipes[method] != nil, "no pipelines/*-fashion.yaml pretrains \(method)")
    }
  }

  @Test func quickstartDecodesToTypedStages() throws {
    let spec = try PipelineLoader.load(path: Self.quickstart).spec
    #expect(spec.name == "quickstart")
    #expect(spec.seed == 7)
    #expect(spec.graph.order == ["data", "pretrain", "knn", "linear"])
    let data = try #require(spec.stages["data"]?.parameters as? DatasetParameters)
    #expect(data.source == .fashionMNIST)
    #expect(data.values.string("path") == "/usr/share/datasets/fashion-mnist")
    #expect(data.limit == 10000)
    let pretrain = try #require(spec.stages["pretrain"]?.parameters as? PretrainParameters)
    #expect(pretrain.encoder == .convnet(widths: [32, 64, 128], strides: [1, 2, 2]))
    #expect(
      pretrain.method == .simclr(.init(temperature: 0.5, projectorHiddenWidths: [128], projectorOutputFeatures: 64)))
    #expect(pretrain.optimizer.kind == .sgd)
    #expect(pretrain.optimizer.warmupEpochs == 1)
    #expect(pretrain.epochs == 5 && pretrain.batchSize == 256)
    #expect(pretrain.views.count == 2)
    let chain = pretrain.views[0].makeChain(channels: 1)
    #expect(chain.entries.map(\.probability) == [1, 0.5, 0.8])
    #expect(chain.outputShape(for: [1, 28, 28]) == [1, 28, 28])
    let knn = try #require(spec.stages["knn"]?.parameters as? KNNParameters)
    #expect(knn.k == [20])
  }

  @Test func resolvedParametersFillDefaults() throws {
    let spec = try PipelineLoader.load(path: Self.quickstart).spec
    let flat = spec.flattenedParameters
    #expect(flat["stages.pretrain.method.temperature"] == 0.5)
    #expect(flat["stages.pretrain.method.projector_batch_norm"] == true)
    #expect(flat["stages.pretrain.encoder.type"] == "convnet")
    #expect(flat["stages.pretrain.views.0.0.random_resized_crop.ratio.1"] == .number(4.0 / 3))
    #expect(flat["stages.pretrain.views.0.1.horizontal_flip.p"] == 0.5)
    #expect(flat["stages.linear.lr"] == 0.1)
    #expect(flat["stages.linear.weight_decay"] == 0)
    #expect(flat["stages.knn.temperature"] == 0.1)
    #expect(flat["stages.data.test_limit"] == 2000)
    #expect(flat["stages.pretrain.needs.0"] == "data")
    #expect(flat["seed"] == 7)
    let linear = try #require(spec.stages["linear"])
    #expect(linear.resolvedParameters == ["epochs": 20, "lr": 0.1, "weight_decay": 0, "batch_size": 256])
  }

  @Test func everyMethodMapsOntoItsConfiguration() throws {
    let spec = try PipelineLoader.load(path: "\(TestPaths.pipelines)/compare-methods.yaml").spec
    func method(_ stage: String) throws -> MethodConfiguration {
      try #require(spec.stages[stage]?.parameters as? PretrainParameters).method
    }
    #expect(
      try method("mocov2") == .mocov2(.init(projectorHiddenWidths: [128], projectorOutputFeatures: 64, queueSize: 4096))
    )
    #expect(
      try method("byol")
        == .byol(.init(projectorHiddenWidths: [256], projectorOutputFeatures: 64, predictorHiddenWidths: [256])))
    #expect(
      try method("simsiam")
        == .simsiam(
          .init(
            projectorHiddenWidths: [256, 256], projectorOutputFeatures: 256,
            predictorHiddenWidths: [64])))
    #expect(
      try method("barlow")
        == .barlowTwins(.init(lambda: 0.005, projectorHiddenWidths: [512, 512], projectorOutputFeatures: 512)))
    #expect(try method("vicreg") == .vicreg(.init(projectorHiddenWidths: [512, 512], projectorOutputFeatures: 512)))
    #expect(
      try method("mocov3")
        == .mocov3(
          .init(
            projectorHiddenWidths: [256, 256], projectorOutputFeatures: 64,
            predictorHiddenWidths: [256])))
    #expect(
      try method("dino")
        == .dino(
          .init(
            headHiddenWidths: [512], bottleneckFeatures: 128, prototypes: 1024,
            headHasBatchNorm: true, baseMomentum: 0.99)))
    #expect(
      try method("nnclr")
        == .nnclr(
          .init(
            temperature: 0.2, projectorHiddenWidths: [256, 256], projectorOutputFeatures: 64,
            predictorHiddenWidths: [256], queueSize: 8192)))
    #expect(
      try method("swav")
        == .swav(
          .init(
            projectorHiddenWidths: [512], projectorOutputFeatures: 128, prototypes: 512, queueSize: 2048,
            queueStartEpoch: 1)))
    let pretrainStages = spec.stages.values.compactMap { $0.parameters as? PretrainParameters }
    #expect(Set(pretrainStages.map(\.method.name)).count == 10, "compare-methods runs all ten methods")
    let dino = try #require(spec.stages["dino"]?.parameters as? PretrainParameters)
    #expect(dino.views.count == 2 && dino.localViews.count == 4)
    #expect(try #require(spec.stages["simclr"]?.parameters as? PretrainParameters).localViews.isEmpty)
    // The anchor's settings reach every stage that merges it; an explicit key wins.
    let byol = try #require(spec.stages["byol"]?.parameters as? PretrainParameters)
    #expect(byol.epochs == 10)
    #expect(
      byol.views.map { if case .preset(let p, _, _, _) = $0 { p.rawValue } else { "" } } == [
        "byol_view1", "byol_view2",
      ])
    #expect(spec.graph.order.first == "data")
  }

  /// One source of truth: `method: {type: X}` alone resolves to `X.Configuration()`.
  @Test func methodDefaultsAreTheConfigurationsDefaults() throws {
    let expected: [String: MethodConfiguration] = [
      "simclr": .simclr(.init()), "mocov2": .mocov2(.init()), "byol": .byol(.init()), "simsiam": .simsiam(.init()),
      "barlow_twins": .barlowTwins(.init()), "vicreg": .vicreg(.init()), "mocov3": .mocov3(.init()),
      "nnclr": .nnclr(.init()), "swav": .swav(.init()), "dino": .dino(.init()),
    ]
    for (type, configuration) in expected {
      let yaml = """
        name: defaults
        augmentations:
          view: {preset: simclr, size: 28}
        stages:
          data: {kind: dataset, source: synthetic}
          pretrain: {kind: pretrain, needs: [data], views: [view, view], method: {type: \(type)}}
        """
      let spec = try PipelineLoader.load(yaml: yaml, file: "defaults.yaml").spec
      let parameters = try #require(spec.stages["pretrain"]?.parameters as? PretrainParameters)
      #expect(parameters.method == configuration, "\(type)")
    }
  }

  /// Every optimizer kind is a `type:` of `optimizer:`, and the pretraining optimizer it
  /// becomes is that kind's preset (SGD decays biases and normalisation, LARS and AdamW
  /// do not), with the rate as written.
  @Test(arguments: OptimizerKind.allCases) func everyOptimizerKindIsAPipelineType(_ kind: OptimizerKind) throws {
    let yaml = """
      name: optimizers
      augmentations:
        view: {preset: simclr, size: 28}
      stages:
        data: {kind: dataset, source: synthetic}
        pretrain:
          kind: pretrain
          needs: [data]
          views: [view, view]
          method: {type: simclr}
          optimizer: {type: \(kind.rawValue), lr: 0.25}
      """
    let spec = try PipelineLoader.load(yaml: yaml, file: "optimizers.yaml").spec
    let parameters = try #require(spec.stages["pretrain"]).parameters(as: PretrainParameters.self)
    #expect(parameters.optimizer.kind == kind)
    let optimizer = PretrainStageRunner.configuration(parameters, seed: 0).optimizer
    let preset: OptimizerConfiguration =
      switch kind {
      case .sgd: .sgd(learningRate: 0.25, weightDecay: 5e-4, scalesLearningRateWithBatchSize: false)
      case .lars: .lars(learningRate: 0.25, scalesLearningRateWithBatchSize: false)
      case .adamw: .adamw(learningRate: 0.25, weightDecay: 0.05, scalesLearningRateWithBatchSize: false)
      }
    #expect(optimizer == preset)
    #expect(optimizer.excludesBiasAndNormalization == (kind != .sgd))
  }

  @Test func methodsAreOneRegistrationEach() {
    #expect(
      MethodSpec.methods.map(\.variant.name) == [
        "simclr", "mocov2", "byol", "simsiam", "barlow_twins", "vicreg", "mocov3", "nnclr", "swav", "dino",
      ])
    #expect(MethodSpec.localViewMethods == ["swav", "dino"], "from each method's takesLocalViews")
    let simclr = MethodConfiguration.simclr()
    #expect(simclr.name == "simclr" && !simclr.takesLocalViews && MethodConfiguration.dino().takesLocalViews)
    #expect(simclr.configuration(of: SimCLR.self)?.temperature == SimCLR.Configuration().temperature)
    #expect(simclr.configuration(of: BYOL.self) == nil)
    #expect(simclr != .simclr(.init(temperature: 0.2)))
    #expect(Set([simclr, .simclr(), .byol()]).count == 2)
  }

  @Test func includesNestAndLaterKeysWin() throws {
    let (spec, warnings) = try PipelineLoader.load(path: "\(TestPaths.fixtures)/good/composed.yaml")
    #expect(spec.seed == 5)  // composed.yaml over override.yaml (4) over base.yaml (3)
    let data = try #require(spec.stages["data"]?.parameters as? DatasetParameters)
    #expect(data.values.int("samples") == 128)  // merged key by key: source from base, samples from override
    #expect(data.source == .synthetic)
    let a = try #require(spec.stages["a"]?.parameters as? PretrainParameters)
    let b = try #require(spec.stages["b"]?.parameters as? PretrainParameters)
    #expect(a.epochs == 2 && b.epochs == 3)
    #expect(a.batchSize == 16 && b.batchSize == 16)
    #expect(b.encoder == .convnet(widths: [8, 16], strides: [1, 2]))
    #expect(a.method == .simclr(.init(temperature: 0.3)))
    #expect(warnings.isEmpty)
  }

  @Test func unusedDefinitionsOfThePipelineFileAreWarnings() throws {
    let yaml = """
      name: unused
      encoders:
        wide: {type: convnet, widths: [64, 128, 256]}
      stages:
        data: {kind: dataset, source: synthetic}
      """
    let (_, warnings) = try PipelineLoader.load(yaml: yaml, file: "unused.yaml")
    #expect(warnings.contains { $0.keyPath == "encoders.wide" && $0.message == "encoder 'wide' is never used" })
    #expect(warnings.allSatisfy { $0.isWarning })
    #expect(warnings.first?.description.contains("unused.yaml:3:3: warning: ") == true)
  }

  @Test func unusedDefinitionsOfIncludedLibrariesAreNotWarnings() throws {
    // simclr-fashion.yaml includes shared/encoders.yaml, which defines encoders it does not use.
    let (_, warnings) = try PipelineLoader.load(path: "\(TestPaths.pipelines)/simclr-fashion.yaml")
    #expect(warnings.isEmpty, "\(warnings)")
  }

  @Test func inlineDefinitionsAndReferencesResolveAlike() throws {
    let named = try Self.load(
      """
      name: x
      augmentations: {v: {preset: simclr, size: 28}}
      encoders: {e: {type: mlp, widths: [64, 32]}}
      stages:
        d: {kind: dataset, source: synthetic}
        p: {kind: pretrain, needs: [d], encoder: e, views: [v, v], method: {type: simclr}}
      """)
    let inline = try Self.load(
      """
      name: x
      stages:
        d: {kind: dataset, source: synthetic}
        p:
          kind: pretrain
          needs: [d]
          encoder: {type: mlp, widths: [64, 32]}
          views: [{preset: simclr, size: 28}, {preset: simclr, size: 28}]
          method: {type: simclr}
      """)
    #expect(named.stages["p"]!.resolvedParameters == inline.stages["p"]!.resolvedParameters)
  }

  @Test func sweepBlockIsDecoded() throws {
    let spec = try PipelineLoader.load(path: "\(TestPaths.pipelines)/ablation-temperature.yaml").spec
    let sweep = try #require(spec.sweep)
    #expect(sweep.pointCount == 8)
    let points = try #require(sweep.points)
    #expect(points.count == 8)
    #expect(points[0].map(\.path) == ["stages.pretrain.method.temperature", "seed"])
    #expect(points[1].map(\.value) == [0.05, 2])
  }

  @Test func randomAndZipSweeps() throws {
    let base = """
      name: s
      stages:
        d: {kind: dataset, source: synthetic}
        p: {kind: pretrain, needs: [d], views: [{preset: simclr, size: 28}, {preset: simclr, size: 28}], method: {type: simclr}}

      """
    let random = try Self.load(
      base + """
        sweep:
          random:
            samples: 6
            parameters:
              stages.p.optimizer.lr: {log_uniform: [0.01, 1.0]}
              stages.p.method.temperature: {choice: [0.1, 0.5]}
        """)
    #expect(random.sweep?.pointCount == 6)
    #expect(random.sweep?.points == nil)
    let zip = try Self.load(base + "sweep: {zip: {seed: [1, 2, 3], stages.p.epochs: [1, 2, 3]}}\n")
    #expect(zip.sweep?.points?.map { $0.map(\.value) } == [[1, 1], [2, 2], [3, 3]])
  }

  @Test func missingFileIsOneClearError() {
    #expect(throws: PipelineError.self) { try PipelineLoader.load(path: "/nonexistent/pipeline.yaml") }
    do {
      _ = try PipelineLoader.load(path: "/nonexistent/pipeline.yaml")
    } catch {
      #expect(error.description == "/nonexistent/pipeline.yaml:1:1: error: cannot read the pipeline file: no such file")
    }
  }
}

/// What a pipeline file may expand to is bounded; exceeding a bound is one clear error.
@Suite struct PipelineLoaderLimitTests {
  @Test func anAliasBombIsRefusedQuicklyWithItsPosition() throws {
    var lines = ["name: laughs", #"x-a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]"#]
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
    for (previous, name) in zip(names, names.dropFirst()) {
      lines.append("x-\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
    }
    lines += ["stages:", "  data: {kind: dataset, source: synthetic}"]
    let start = Date()
    #expect {
      try PipelineLoader.load(yaml: lines.joined(separator: "\n"), file: "laughs.yaml")
    } throws: { error in
      let text = (error as? PipelineError)?.description ?? ""
      return text.hasPrefix("laughs.yaml:") && text.contains("expands to more than 100000 values")
    }
    #expect(Date().timeIntervalSince(start) < 60, "refused, not expanded")
  }

  @Test func aFileThatIsNotRegularOrTooLargeIsRefusedBeforeReading() throws {
    #expect {
      try PipelineLoader.load(path: "/dev/zero")
    } throws: { error in
      (error as? PipelineError)?.description.contains("not a regular file") == true
    }
    let big = FileManager.default.temporaryDirectory.appendingPathComponent("siam-big-\(getpid()).yaml").path
    defer { try? FileManager.default.removeItem(atPath: big) }
    let line = "# " + String(repeating: "x", count: 1000) + "\n"
    try String(repeating: line, count: 4300).write(toFile: big, atomically: true, encoding: .utf8)
    #expect {
      try PipelineLoader.load(path: big)
    } throws: { error in
      (error as? PipelineError)?.description.contains("more than 4194304") == true
    }
  }
}

/// The `executor:` block: validated like every other key, overridable, never fingerprinted.
@Suite struct ExecutorBlockTests {
  static let yaml =
    RunFixture.yaml + """
      executor:
        type: slurm
        partition: debug
        cpus_per_task: 2
        mem: 8G
        time: "01:00:00"
        max_parallel: 4
        setup: ["module load openblas"]
        sbatch_args: ["--exclusive"]

      """

  @Test func aBlockDecodesAndNeverEntersAFingerprint() throws {
    let spec = try PipelineLoader.load(yaml: Self.yaml).spec
    #expect(spec.executor.type == .slurm && spec.executor.partition == "debug" && spec.executor.cpusPerTask == 2)
    #expect(spec.executor.mem == "8G" && spec.executor.time == "01:00:00" && spec.executor.maxParallel == 4)
    #expect(spec.executor.setup == ["module load openblas"] && spec.executor.sbatchArgs == ["--exclusive"])
    let plain = try PipelineLoader.load(yaml: RunFixture.yaml).spec
    #expect(plain.executor.type == .inProcess)
    let fixture = RunFixture()
    defer { fixture.remove() }
    let a = try fixture.runner().plan(spec)
    let b = try fixture.runner().plan(plain)
    #expect(a.stages.map(\.fingerprint) == b.stages.map(\.fingerprint))
    #expect(!spec.flattenedParameters.keys.contains { $0.hasPrefix("executor") })
    // --set overrides the block (and + adds one to a file without it).
    let overridden = try PipelineLoader.load(yaml: Self.yaml, overrides: ["executor.partition=gpu"]).spec
    #expect(overridden.executor.partition == "gpu")
    let added = try PipelineLoader.load(yaml: RunFixture.yaml, overrides: ["+executor={type: local, max_parallel: 2}"])
      .spec
    #expect(added.executor.type == .local && added.executor.maxParallel == 2)
  }

  @Test func badValuesAreErrorsAtTheirPosition() throws {
    func errors(_ overrides: [String]) -> String {
      do {
        _ = try PipelineLoader.load(yaml: Self.yaml, file: "e.yaml", overrides: overrides)
        return ""
      } catch {
        return error.description
      }
    }
    #expect(
      errors(["executor.type=slurmm"]).contains(
        "--set[1]:1:15: error: executor.type: expected one of 'in-process', 'local', 'slurm', found 'slurmm'; did you mean 'slurm'?"
      ))
    #expect(errors(["executor.mem=8X"]).contains("executor.mem: expected a size such as 500M"))
    #expect(errors(["executor.time=1-2:3:4:5"]).contains("executor.time: expected a time limit such as 90"))
    #expect(errors([#"executor.time="01:30:00""#]).isEmpty)
    // YAML reads an unquoted 1:30:00 as a base-60 number: refused with the fix.
    let unquoted = Self.yaml.replacingOccurrences(of: #"time: "01:00:00""#, with: "time: 1:30:00")
    do {
      _ = try PipelineLoader.load(yaml: unquoted, file: "e.yaml")
      Issue.record("an unquoted time passed")
    } catch {
      #expect(
        error.description.contains(
          "executor.time: expected a time limit in quotes, such as \"1:30:00\"; YAML reads an unquoted 1:30:00 as a base-60 number (here 5400)"
        ), "\(error.description)")
    }
    #expect(errors(["executor.max_parallel=0"]).contains("executor.max_parallel: expected an integer in [1, 100000]"))
    #expect(errors(["executor.partition=a b"]).contains("executor.partition: expected a Slurm name"))
    #expect(errors(["executor.sbatch_args=[exclusive]"]).contains("is not an sbatch option"))
    #expect(errors(["+executor.partiton=x"]).contains("executor.partiton: unknown key; did you mean 'partition'?"))
    let misplaced = Self.yaml.replacingOccurrences(of: "  mem: 8G", with: "  mem: lots")
    do {
      _ = try PipelineLoader.load(yaml: misplaced, file: "e.yaml")
      Issue.record("a bad mem passed")
    } catch {
      let line =
        misplaced.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("mem: lots") }! + 1
      #expect(error.description.hasPrefix("e.yaml:\(line):8: error: executor.mem:"), "\(error.description)")
    }
  }
}
