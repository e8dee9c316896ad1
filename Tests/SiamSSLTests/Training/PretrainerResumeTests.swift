import Foundation
import SiamNN
import SiamSSL
import SiamTensor
import Testing

/// Checkpoints, exact resume, determinism, and the errors of a checkpoint that does not
/// belong to the run.
@Suite struct PretrainerResumeTests {
  /// One row per method with target state: SimCLR (LARS), MoCo v2 (SGD; queue and
  /// pointer), BYOL (AdamW; EMA target), MoCo v3 (SGD; EMA keys), DINO (SGD; multi-crop,
  /// EMA teacher, centre, epoch-dependent temperature and frozen last layer), NNCLR
  /// (LARS; support set and pointer), SwAV (SGD; multi-crop, a queue that fills in the
  /// second epoch and joins Sinkhorn in the third, frozen prototypes).
  static let rows: [(name: String, method: MethodConfiguration, optimizer: OptimizerConfiguration)] = [
    ("simclr", TinyRun.simclr, .lars(learningRate: 0.2, weightDecay: 1e-4, scalesLearningRateWithBatchSize: false)),
    ("mocov2", TinyRun.moco, .sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false)),
    ("byol", TinyRun.byol, .adamw(learningRate: 1e-3, scalesLearningRateWithBatchSize: false)),
    ("mocov3", TinyRun.mocov3, .sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false)),
    ("dino", TinyRun.dino, .sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false)),
    ("nnclr", TinyRun.nnclr, .lars(learningRate: 0.2, weightDecay: 1e-4, scalesLearningRateWithBatchSize: false)),
    ("swav", TinyRun.swav, .sgd(learningRate: 0.05, scalesLearningRateWithBatchSize: false)),
  ]

  @Test(arguments: [0, 1, 2, 3, 4, 5, 6])
  func resumingAfterTwoEpochsIsBitIdenticalToAnUninterruptedRun(row: Int) throws {
    let (name, method, optimizer) = Self.rows[row]
    let configuration = TinyRun.configuration(optimizer: optimizer)
    let straight = try TinyRun.makePretrainer(method, configuration)
    try straight.run()

    let directory = TinyRun.temporaryDirectory("resume-\(name)")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let first = try TinyRun.makePretrainer(method, configuration, directory: directory)
    let partial = try first.run(untilEpochsCompleted: 2)
    #expect(partial.epochs.count == 2 && !partial.isComplete && partial.globalStep == 8)

    // A new method from another key: everything must come from the checkpoint.
    let observer = RecordingObserver()
    let second = try TinyRun.makePretrainer(
      method, configuration, directory: directory, keySeed: 999, observers: [observer])
    #expect(second.nextEpoch == 2 && second.globalStep == 8)
    #expect(second.resumedFrom?.hasSuffix("epoch-0002.safetensors") == true)
    let rest = try second.run()
    #expect(rest.startEpoch == 2 && rest.epochs.map(\.epoch) == [2] && rest.isComplete && rest.globalStep == 12)
    #expect(observer.starts.first?.resumedFrom != nil)

    let expected = straight.method.stateTensors()
    let actual = second.method.stateTensors()
    #expect(TinyRun.differingKeys(expected, actual).isEmpty, "\(name): \(TinyRun.differingKeys(expected, actual))")
    let expectedOptimizer = straight.optimizer.stateTensors()
    let actualOptimizer = second.optimizer.stateTensors()
    #expect(!expectedOptimizer.isEmpty)
    #expect(TinyRun.differingKeys(expectedOptimizer, actualOptimizer).isEmpty, "\(name): optimizer state differs")
    if name == "mocov2" || name == "nnclr" || name == "swav" {
      #expect(actual["queue_ptr"] != nil && actual["queue"] != nil)
    }
    if name == "byol" { #expect(actual.keys.contains { $0.hasPrefix("momentum_encoder.") }) }
    if name == "dino" {
      let center = try #require(actual["center"])
      #expect(center.scalars.contains { $0 != 0 }, "dino: the centre never moved")
    }
  }

  @Test func sameSeedIsBitIdenticalAndAnotherSeedIsNot() throws {
    let configuration = TinyRun.configuration(epochs: 2)
    let a = try TinyRun.makePretrainer(TinyRun.simclr, configuration)
    let b = try TinyRun.makePretrainer(TinyRun.simclr, configuration)
    let recordsA = try a.run().epochs
    let recordsB = try b.run().epochs
    #expect(recordsA.map(\.meanLoss) == recordsB.map(\.meanLoss))
    #expect(TinyRun.differingKeys(a.method.stateTensors(), b.method.stateTensors()).isEmpty)

    var other = configuration
    other.seed = 12
    let c = try TinyRun.makePretrainer(TinyRun.simclr, other)
    try c.run()
    let differing = TinyRun.differingKeys(a.method.stateTensors(), c.method.stateTensors())
    #expect(differing.contains("encoder.0.weight") && differing.contains("projector.0.weight"))
  }

  @Test func checkpointHoldsStateOptimizerAndMetadata() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let configuration = TinyRun.configuration(epochs: 2)
    let pretrainer = try TinyRun.makePretrainer(TinyRun.moco, configuration, directory: directory)
    try pretrainer.run()
    let files = try PretrainingCheckpoint.files(in: directory)
    #expect(files.map(\.epochsCompleted) == [1, 2], "the latest two are kept")
    let saved = try PretrainingCheckpoint.read(from: files[1].path)
    #expect(saved.epochsCompleted == 2 && saved.globalStep == 8)
    #expect(saved.metadata["method"] == "mocov2" && saved.metadata["seed"] == "11")
    #expect(saved.metadata["method_configuration"]?.contains("\"queueSize\":16") == true)
    #expect(saved.metadata["configuration"] == configuration.canonicalJSON)
    let decoded = try JSONDecoder().decode(
      PretrainingConfiguration.self, from: Data(saved.metadata["configuration"]!.utf8))
    #expect(decoded == configuration)
    #expect(TinyRun.differingKeys(saved.checkpoint.modelTensors, pretrainer.method.stateTensors()).isEmpty)
    #expect(saved.checkpoint.optimizerState.keys.contains("encoder.0.weight.momentum_buffer"))
    #expect(!saved.checkpoint.modelTensors.keys.contains { $0.hasPrefix("optimizer.") })
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
        "epoch-0001.safetensors", "epoch-0001.safetensors.sha256", "epoch-0002.safetensors",
        "epoch-0002.safetensors.sha256",
      ])
    // The checksum file holds the file's SHA-256, and every epoch's record is in the metadata.
    let recorded = try String(contentsOfFile: files[1].path + ".sha256", encoding: .utf8)
    #expect(recorded.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
    #expect(try PretrainingCheckpoint.readVerified(from: files[1].path).isVerified)
    #expect(saved.metadata["epoch_records"]?.contains("\"epoch\":1") == true)
  }

  @Test func everyKthCheckpointIsKept() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var configuration = TinyRun.configuration(epochs: 5)
    configuration.keepCheckpointEveryEpochs = 2
    let observer = RecordingObserver()
    try TinyRun.makePretrainer(TinyRun.simclr, configuration, directory: directory, observers: [observer]).run()
    #expect(observer.checkpoints.map(\.epoch) == [0, 1, 2, 3, 4])
    #expect(try PretrainingCheckpoint.files(in: directory).map(\.epochsCompleted) == [2, 4, 5])
  }

  @Test func leftoverTemporaryFilesAreIgnoredAndRemoved() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let leftover = directory + "/epoch-0007.safetensors.tmp-12345"
    try Data("half a checkpoint".utf8).write(to: URL(fileURLWithPath: leftover))
    let pretrainer = try TinyRun.makePretrainer(TinyRun.simclr, TinyRun.configuration(epochs: 1), directory: directory)
    #expect(pretrainer.resumedFrom == nil)
    try pretrainer.run()
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == [
        "epoch-0001.safetensors", "epoch-0001.safetensors.sha256",
      ])
  }

  @Test func aDivergingRunStopsWithoutWritingACheckpoint() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let configuration = TinyRun.configuration(
      optimizer: .sgd(learningRate: 1e38, scalesLearningRateWithBatchSize: false), epochs: 2)
    let pretrainer = try TinyRun.makePretrainer(TinyRun.simclr, configuration, directory: directory)
    let error = #expect(throws: SSLError.self) { try pretrainer.run() }
    #expect(
      error?.code == .diverged && error?.message.contains("lower the learning rate") == true,
      "\(String(describing: error))")
    #expect(try PretrainingCheckpoint.files(in: directory).isEmpty)
  }

  @Test func aFinishedRunDoesNothingMore() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let configuration = TinyRun.configuration(epochs: 1)
    try TinyRun.makePretrainer(TinyRun.simclr, configuration, directory: directory).run()
    let again = try TinyRun.makePretrainer(TinyRun.simclr, configuration, directory: directory)
    #expect(again.isComplete)
    let result = try again.run()
    #expect(result.epochs.isEmpty && result.isComplete && result.globalStep == 4)
  }

  // MARK: - Checkpoints of another run

  /// Writes the checkpoint of 1 epoch of `method` with `configuration` into a new folder.
  func checkpointDirectory(
    _ method: MethodConfiguration, _ configuration: PretrainingConfiguration, name: String = #function
  ) throws -> String {
    let directory = TinyRun.temporaryDirectory(name)
    try TinyRun.makePretrainer(method, configuration, directory: directory).run(untilEpochsCompleted: 1)
    return directory
  }

  @Test func anotherMethodIsAClearError() throws {
    let directory = try checkpointDirectory(TinyRun.byol, TinyRun.configuration())
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let error = #expect(throws: SSLError.self) {
      try TinyRun.makePretrainer(TinyRun.simclr, TinyRun.configuration(), directory: directory)
    }
    #expect(error?.code == .checkpointMismatch && error?.key == "method")
    #expect(error?.description.contains("'byol' but this run has 'simclr'") == true, "\(String(describing: error))")
  }

  @Test func anotherMethodConfigurationIsAClearError() throws {
    let directory = try checkpointDirectory(TinyRun.simclr, TinyRun.configuration())
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let warmer = MethodConfiguration.simclr(
      .init(temperature: 0.2, projectorHiddenWidths: [16], projectorOutputFeatures: 8))
    let error = #expect(throws: SSLError.self) {
      try TinyRun.makePretrainer(warmer, TinyRun.configuration(), directory: directory)
    }
    #expect(error?.code == .checkpointMismatch && error?.key == "method_configuration")
  }

  @Test func anotherTrainingConfigurationIsAClearErrorButCadencesMayChange() throws {
    let directory = try checkpointDirectory(TinyRun.simclr, TinyRun.configuration())
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var faster = TinyRun.configuration()
    faster.optimizer.learningRate = 0.1
    let error = #expect(throws: SSLError.self) {
      try TinyRun.makePretrainer(TinyRun.simclr, faster, directory: directory)
    }
    #expect(error?.code == .checkpointMismatch && error?.key == "optimizer.learningRate")
    #expect(error?.message.contains("checkpoint 0.05, this run 0.1") == true, "\(String(describing: error))")

    var chattier = TinyRun.configuration()
    chattier.logEverySteps = 1
    chattier.knnEveryEpochs = 1
    #expect(try TinyRun.makePretrainer(TinyRun.simclr, chattier, directory: directory).nextEpoch == 1)
  }

  @Test func aCorruptCheckpointIsMovedAsideAndTheRunStartsOver() throws {
    let directory = try checkpointDirectory(TinyRun.simclr, TinyRun.configuration())
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = try #require(try PretrainingCheckpoint.latestFile(in: directory))
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
    // Reading it is a clear error ...
    #expect(throws: SSLError.self) { try PretrainingCheckpoint.readVerified(from: path) }
    // ... and a run moves it aside, falls back to an earlier one (none here), and says so.
    let pretrainer = try TinyRun.makePretrainer(TinyRun.simclr, TinyRun.configuration(), directory: directory)
    #expect(pretrainer.resumedFrom == nil && pretrainer.nextEpoch == 0)
    #expect(
      pretrainer.resumeWarnings.contains { $0.contains("does not match its checksum") && $0.contains("moved to") })
    #expect(pretrainer.resumeWarnings.last?.contains("starting from the first epoch") == true)
    #expect(!FileManager.default.fileExists(atPath: path))
  }

  @Test func aSafetensorsFileOfAnotherKindIsNotResumedFrom() throws {
    let directory = TinyRun.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try SafeTensors.write(["x": Tensor([1])], to: directory + "/epoch-0001.safetensors")
    let error = #expect(throws: SSLError.self) {
      try PretrainingCheckpoint.read(from: directory + "/epoch-0001.safetensors")
    }
    #expect(error?.code == .checkpointMismatch && error?.key == "format")
    let pretrainer = try TinyRun.makePretrainer(TinyRun.simclr, TinyRun.configuration(), directory: directory)
    #expect(pretrainer.resumedFrom == nil)
    #expect(pretrainer.resumeWarnings.contains { $0.contains("not a Siam pretraining checkpoint") })
  }
}
