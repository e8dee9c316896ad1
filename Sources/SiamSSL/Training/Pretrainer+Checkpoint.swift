import Foundation
import SiamNN
import SiamTensor

// Writing the per-epoch checkpoint and resuming from one.

extension Pretrainer {
  /// The metadata that identifies this run in its checkpoints (without the counters).
  var runMetadata: [String: String] {
    [
      "format": PretrainingCheckpoint.format,
      "format_version": String(PretrainingCheckpoint.formatVersion),
      "seed": String(configuration.seed),
      "configuration": configuration.canonicalJSON,
      "method": method.name,
      "method_configuration": method.configurationJSON,
      "optimizer": configuration.optimizer.kind.rawValue,
      "dataset": loader.dataset.name,
      "dataset_count": String(loader.dataset.count),
      "loader_seed": String(loader.seed),
      "steps_per_epoch": String(stepsPerEpoch),
    ]
  }

  /// Writes the checkpoint of the epochs completed so far into `directory` and removes
  /// the older ones that are not kept.
  ///
  /// - Returns: The file's path.
  /// - Throws: `NNError.fileAccess`.
  func saveCheckpoint(in directory: String) throws -> String {
    try PretrainingCheckpoint.createDirectory(directory)
    var metadata = runMetadata
    metadata["epochs_completed"] = String(nextEpoch)
    metadata["global_step"] = String(globalStep)
    metadata["epoch_records"] = Self.encodeHistory(history)
    let path = directory + "/" + PretrainingCheckpoint.fileName(epochsCompleted: nextEpoch)
    let checkpoint = Checkpoint(model: method.stateModule, optimizer: optimizer, metadata: metadata)
    try PretrainingCheckpoint(checkpoint: checkpoint, path: path).write()
    try PretrainingCheckpoint.prune(directory: directory, keepEvery: configuration.keepCheckpointEveryEpochs)
    return path
  }

  /// Checks that `saved` belongs to this run, then loads the optimizer and method state
  /// and moves the counters past its epochs.
  ///
  /// - Throws: `SSLError.checkpointMismatch` naming the first setting that differs;
  ///   `NNError` or `SSLError.invalidState` from loading the tensors. Nothing of the
  ///   method changes unless the optimizer state loaded.
  func resume(from saved: PretrainingCheckpoint) throws {
    let expected = runMetadata
    let found = saved.metadata
    try checkMethod(found, expected, path: saved.path)
    try checkConfiguration(found["configuration"], path: saved.path)
    for key in ["dataset", "dataset_count", "loader_seed", "steps_per_epoch"] where found[key] != expected[key] {
      throw mismatch(key, found: found[key], expected: expected[key], path: saved.path)
    }
    let epochs = saved.epochsCompleted
    guard epochs <= configuration.epochs, saved.globalStep == epochs * stepsPerEpoch else {
      throw SSLError(
        .checkpointMismatch, key: "epochs_completed",
        "\(saved.path): \(epochs) epochs and \(saved.globalStep) steps completed do not fit a run of "
          + "\(configuration.epochs) epochs of \(stepsPerEpoch) steps; the file is damaged")
    }
    var restored = configuration.optimizer.makeOptimizer(batchSize: configuration.batchSize)
    try restored.loadState(saved.checkpoint.optimizerState)
    try method.loadState(saved.checkpoint.modelTensors, source: saved.path)
    optimizer = restored
    nextEpoch = epochs
    globalStep = saved.globalStep
    resumedFrom = saved.path
    if let history = saved.metadata["epoch_records"].flatMap(Self.decodeHistory), history.count == epochs {
      self.history = history
    } else {
      self.history = []
      resumeWarnings.append(
        "\(saved.path) holds no per-epoch records (written by an older version): the history of epochs 1–\(epochs) is not recorded"
      )
    }
  }

  /// Resumes from the newest checkpoint that reads and matches its checksum; damaged ones
  /// are moved aside (`.damaged-<time>`) with a warning, falling back to the one before,
  /// or to the start when none is sound.
  ///
  /// - Throws: `SSLError.checkpointMismatch` when a sound checkpoint belongs to another
  ///   run (resuming from it would not continue this one).
  func resumeFromNewestSound(in directory: String) throws {
    for (_, path) in try PretrainingCheckpoint.files(in: directory).reversed() {
      let saved: PretrainingCheckpoint
      do {
        let (checkpoint, isVerified) = try PretrainingCheckpoint.readVerified(from: path)
        saved = checkpoint
        if !isVerified {
          resumeWarnings.append("\(path) has no checksum file: resuming from it unverified")
        }
      } catch {
        let aside = PretrainingCheckpoint.moveAside(path)
        resumeWarnings.append("\(error); moved to \(aside), falling back to an earlier checkpoint")
        continue
      }
      try resume(from: saved)
      return
    }
    if !resumeWarnings.isEmpty { resumeWarnings.append("no sound checkpoint is left: starting from the first epoch") }
  }

  /// The records as JSON (non-finite numbers as the strings "nan", "inf", "-inf").
  static func encodeHistory(_ history: [EpochRecord]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return (try? encoder.encode(history)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
  }

  static func decodeHistory(_ text: String) -> [EpochRecord]? {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try? decoder.decode([EpochRecord].self, from: Data(text.utf8))
  }

  private func checkMethod(_ found: [String: String], _ expected: [String: String], path: String) throws {
    if found["method"] != expected["method"] {
      throw mismatch("method", found: found["method"], expected: expected["method"], path: path)
    }
    if found["method_configuration"] != expected["method_configuration"] {
      throw mismatch(
        "method_configuration", found: found["method_configuration"],
        expected: expected["method_configuration"], path: path)
    }
  }

  /// Compares the settings that shape the trajectory; the cadences may change.
  private func checkConfiguration(_ json: String?, path: String) throws {
    guard let json, let saved = try? JSONDecoder().decode(PretrainingConfiguration.self, from: Data(json.utf8)) else {
      throw SSLError(
        .checkpointMismatch, key: "configuration",
        "\(path): the checkpoint's configuration metadata is missing or unreadable; the file is damaged")
    }
    guard saved.trajectory != configuration.trajectory else { return }
    let differences = Self.differingFields(saved.trajectory, configuration.trajectory)
    throw SSLError(
      .checkpointMismatch, key: differences.first?.key ?? "configuration",
      "\(path): the checkpoint was trained with another configuration ("
        + differences.map { "\($0.key): checkpoint \($0.found), this run \($0.expected)" }.joined(separator: "; ")
        + "); resuming would not continue the same run. Use the checkpoint's settings or another checkpoint directory")
  }

  private func mismatch(_ key: String, found: String?, expected: String?, path: String) -> SSLError {
    SSLError(
      .checkpointMismatch, key: key,
      "\(path): the checkpoint has \(key) \(found.map { "'\($0)'" } ?? "(none)") but this run has "
        + "\(expected.map { "'\($0)'" } ?? "(none)"); resuming would not continue the same run. "
        + "Use another checkpoint directory or the checkpoint's settings")
  }

  /// The dotted fields whose JSON values differ between two encodable values.
  static func differingFields<T: Encodable>(_ a: T, _ b: T) -> [(key: String, found: String, expected: String)] {
    func flatten(_ value: Any, _ prefix: String, into result: inout [String: String]) {
      if let object = value as? [String: Any] {
        for (key, child) in object { flatten(child, prefix.isEmpty ? key : prefix + "." + key, into: &result) }
      } else {
        result[prefix] = "\(value)"
      }
    }
    func flat(_ value: T) -> [String: String] {
      var result: [String: String] = [:]
      if let data = try? JSONEncoder().encode(value), let object = try? JSONSerialization.jsonObject(with: data) {
        flatten(object, "", into: &result)
      }
      return result
    }
    let (x, y) = (flat(a), flat(b))
    return Set(x.keys).union(y.keys).sorted().compactMap { key in
      x[key] == y[key] ? nil : (key, x[key] ?? "(none)", y[key] ?? "(none)")
    }
  }
}
