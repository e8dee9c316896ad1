import Foundation
import SiamData
import SiamPipeline
import Testing

@Suite struct StageRunnerKindsTests {
  static let yaml = """
    name: kinds
    seed: 5
    augmentations:
      view: [{random_resized_crop: {size: 12, scale: [0.5, 1.0]}}]
    encoders:
      small: {type: convnet, widths: [4, 8], strides: [1, 2]}
    stages:
      data: {kind: dataset, source: synthetic, samples: 48, test_samples: 24, classes: 3, shape: [1, 12, 12]}
      pretrain: {kind: pretrain, needs: [data], encoder: small, views: [view, view], method: {type: byol, projector: [8, 8], predictor_hidden: [8]}, epochs: 1, batch_size: 16}
      finetune: {kind: finetune, needs: [pretrain], epochs: 1, batch_size: 16, labeled_fraction: 0.5}
      supervised: {kind: supervised, needs: [data], encoder: small, epochs: 1, batch_size: 16}
      tuned_knn: {kind: knn, needs: [finetune], k: 3}
      pixels_linear: {kind: linear_probe, needs: [data], epochs: 2, batch_size: 16}
      embed: {kind: embed, needs: [supervised], split: test}
      diagnostics: {kind: diagnostics, needs: [pretrain], samples: 16, augmentation: view}
      random_init: {kind: random_encoder, needs: [data], encoder: small}
      random_knn: {kind: knn, needs: [random_init], k: 3}
      random_finetune: {kind: finetune, needs: [random_init], epochs: 1, batch_size: 16, labeled_fraction: 0.5}
    """

  @Test func everyKindRunsAndIsCachedTheSecondTime() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.runner().run(try fixture.spec(yaml: Self.yaml))
    #expect(first.succeeded, "\(first.stages.compactMap(\.error))")
    #expect(first.stages(.completed).count == 11)
    #expect(first["finetune"]!.metrics["finetune_top1"] != nil)
    #expect(first["supervised"]!.metrics["supervised_top1"] != nil)
    #expect(first["tuned_knn"]!.metrics["knn_top1"] != nil)
    #expect(first["pixels_linear"]!.metrics["linear_top1"] != nil)
    #expect(first["embed"]!.metrics["test_count"] == 24)
    #expect(first["diagnostics"]!.metrics["alignment"] != nil)
    #expect(first["diagnostics"]!.metrics["effective_rank"] != nil)
    #expect(FileManager.default.fileExists(atPath: first["embed"]!.entryDirectory! + "/test.safetensors"))
    #expect(first["random_init"]!.metrics["parameters"] == Double(1 * 4 * 9 + 4 * 8 * 9 + 2 * (4 + 8)))
    #expect(first["random_knn"]!.metrics["knn_top1"] != nil)
    // Fine-tuning from random init: the supervised baseline on the same labelled fraction.
    #expect(first["random_finetune"]!.metrics["labelled_count"] == first["finetune"]!.metrics["labelled_count"])
    let second = try fixture.runner().run(try fixture.spec(yaml: Self.yaml))
    #expect(second.stages(.cached).count == 11)
  }

  /// DINO with multi-crop (2 global views of 12 px, 3 local views of 6 px), MoCo v3,
  /// NNCLR and SwAV (multi-crop and a queue) run from YAML; the collapse monitors reach
  /// the runs' metrics; a rerun is cached.
  @Test func dinoWithLocalViewsAndMoCoV3RunFromYAML() throws {
    let yaml = """
      name: new-methods
      seed: 5
      augmentations:
        view: [{random_resized_crop: {size: 12, scale: [0.5, 1.0]}}]
        local: [{random_resized_crop: {size: 6, scale: [0.1, 0.4]}}, {horizontal_flip: {p: 0.5}}]
      encoders:
        small: {type: convnet, widths: [8, 8], strides: [1, 2]}
      stages:
        data: {kind: dataset, source: synthetic, samples: 48, test_samples: 24, classes: 3, shape: [1, 12, 12]}
        dino:
          kind: pretrain
          needs: [data]
          encoder: small
          views: [view, view]
          local_views: [local, local, local]
          method: {type: dino, head: [16, 8], prototypes: 12, warmup_teacher_temperature_epochs: 2, teacher_temperature: 0.07}
          epochs: 2
          batch_size: 16
        mocov3: {kind: pretrain, needs: [data], encoder: small, views: [view, view], method: {type: mocov3, projector: [16, 16, 8], predictor_hidden: [16]}, epochs: 1, batch_size: 16}
        nnclr: {kind: pretrain, needs: [data], encoder: small, views: [view, view], method: {type: nnclr, projector: [16, 8], predictor_hidden: [16], queue_size: 32}, epochs: 1, batch_size: 16}
        swav: {kind: pretrain, needs: [data], encoder: small, views: [view, view], local_views: [local, local], method: {type: swav, projector: [16, 8], prototypes: 6, queue_size: 32, queue_start_epoch: 0}, epochs: 2, batch_size: 16}
        dino_knn: {kind: knn, needs: [dino], k: 3}
        mocov3_knn: {kind: knn, needs: [mocov3], k: 3}
        nnclr_knn: {kind: knn, needs: [nnclr], k: 3}
        swav_knn: {kind: knn, needs: [swav], k: 3}
      """
    let fixture = RunFixture()
    defer { fixture.remove() }
    let first = try fixture.runner().run(try fixture.spec(yaml: yaml))
    #expect(first.succeeded, "\(first.stages.compactMap(\.error))")
    for stage in ["dino_knn", "mocov3_knn", "nnclr_knn", "swav_knn"] {
      #expect(first[stage]!.metrics["knn_top1"] != nil, "\(stage)")
    }
    let swavMetrics = try String(contentsOfFile: first["swav"]!.entryDirectory! + "/metrics.json", encoding: .utf8)
    #expect(swavMetrics.contains("\"code_entropy\"") && swavMetrics.contains("\"queue_in_use\""))
    #expect(first["dino"]!.metrics["epochs"] == 2)
    let metrics = try String(contentsOfFile: first["dino"]!.entryDirectory! + "/metrics.json", encoding: .utf8)
    for key in ["teacher_entropy", "kl_divergence", "teacher_temperature"] {
      #expect(metrics.contains("\"\(key)\""), "\(key) missing from dino's metrics.json")
    }
    let second = try fixture.runner().run(try fixture.spec(yaml: yaml))
    #expect(second.stages(.cached).count == 9)
  }

  /// Local views an MLP encoder cannot read fail the stage with the reason, not a trap.
  @Test func localViewsOfAnotherSizeNeedAConvolutionalEncoder() throws {
    let yaml = """
      name: mlp-multicrop
      seed: 5
      augmentations:
        view: [{random_resized_crop: {size: 8, scale: [0.5, 1.0]}}]
        local: [{random_resized_crop: {size: 4, scale: [0.1, 0.4]}}]
      stages:
        data: {kind: dataset, source: synthetic, samples: 32, test_samples: 8, classes: 2, shape: [1, 8, 8]}
        dino:
          kind: pretrain
          needs: [data]
          encoder: {type: mlp, widths: [16]}
          views: [view, view]
          local_views: [local, local]
          method: {type: dino, head: [16, 8], prototypes: 12}
          epochs: 1
          batch_size: 8
      """
    let fixture = RunFixture()
    defer { fixture.remove() }
    let result = try fixture.runner().run(try fixture.spec(yaml: yaml))
    #expect(!result.succeeded)
    let error = result["dino"]?.error ?? ""
    #expect(error.contains("mlp encoder") && error.contains("1×4×4"), "\(error)")
  }

  /// The random-init baseline is a pure function of the pipeline seed: the same encoder
  /// file in two separate caches, a different one for another seed.
  @Test func randomEncoderDependsOnlyOnTheSeed() throws {
    func encoderBytes(seed: Int) throws -> Data {
      let fixture = RunFixture()
      defer { fixture.remove() }
      let yaml = """
        name: random
        seed: \(seed)
        stages:
          data: {kind: dataset, source: synthetic, samples: 8, test_samples: 4, classes: 2, shape: [1, 8, 8]}
          random_init: {kind: random_encoder, needs: [data], encoder: {type: convnet, widths: [4], strides: [1]}}
        """
      let result = try fixture.runner().run(try fixture.spec(yaml: yaml))
      let path = result["random_init"]!.entryDirectory! + "/encoder.safetensors"
      return try Data(contentsOf: URL(fileURLWithPath: path))
    }
    let first = try encoderBytes(seed: 5)
    #expect(try encoderBytes(seed: 5) == first)
    #expect(try encoderBytes(seed: 6) != first)
  }
}

/// `source: npy` runs: images and labels from NumPy files, a test split from its own files.
@Suite struct NPYDatasetStageTests {
  @Test func anNPYDatasetRunsThroughPretrainingAndKNN() throws {
    let fixture = RunFixture()
    defer { fixture.remove() }
    try FileManager.default.createDirectory(atPath: fixture.root, withIntermediateDirectories: true)
    // 48 training and 16 test images of 1×12×12 in 3 classes: class c is bright in band c.
    func write(_ name: String, count: Int) throws {
      var pixels: [UInt8] = []
      var labels: [Int64] = []
      for index in 0..<count {
        let label = index % 3
        labels.append(Int64(label))
        for row in 0..<12 {
          for column in 0..<12 { pixels.append(row / 4 == label ? UInt8(200 + (index + column) % 50) : 10) }
        }
      }
      try NPYArray(shape: [count, 12, 12], values: .uint8(pixels)).write(to: "\(fixture.root)/\(name)_x.npy")
      try NPYArray(shape: [count], values: .int64(labels)).write(to: "\(fixture.root)/\(name)_y.npy")
    }
    try write("train", count: 48)
    try write("test", count: 16)
    let yaml = RunFixture.yaml.replacingOccurrences(
      of: "data: {kind: dataset, source: synthetic, samples: 64, test_samples: 32, classes: 4, shape: [1, 12, 12]}",
      with:
        "data: {kind: dataset, source: npy, images: \(fixture.root)/train_x.npy, labels: \(fixture.root)/train_y.npy, "
        + "test_images: \(fixture.root)/test_x.npy, test_labels: \(fixture.root)/test_y.npy}")
    let result = try fixture.runner().run(try fixture.spec(yaml: yaml))
    #expect(result.succeeded, "\(result.stages.map { "\($0.name): \($0.error ?? "")" })")
    #expect(result["data"]?.metrics["train_count"] == 48 && result["data"]?.metrics["test_count"] == 16)
    #expect(result["data"]?.metrics["classes"] == 3)
    #expect(result["pixels"]?.metrics.value(of: "knn_top1", with: ["k": 3]) == 1, "raw pixels separate the bands")
  }
}
