import Crypto
import Foundation
import SiamNN
import SiamTensor

/// One epoch's checkpoint of a pretraining run: the method's state, the optimizer's
/// state and the metadata that identify the run, in one safetensors file.
///
/// Layout: the method's `stateTensors()` under their own dotted keys (PyTorch-style, so
/// `load_state_dict` reads them), the optimizer's state under `optimizer.` (as
/// `Checkpoint` in SiamNN), and string metadata:
///
/// | key | value |
/// | --- | --- |
/// | `format`, `format_version` | `siam.pretraining`, `1` |
/// | `epochs_completed`, `global_step` | the epochs and steps done |
/// | `seed`, `configuration` | the run seed; the `PretrainingConfiguration` as canonical JSON |
/// | `method`, `method_configuration` | the method's name; its `configurationJSON` |
/// | `optimizer` | the optimizer's name |
/// | `dataset`, `dataset_count`, `loader_seed`, `steps_per_epoch` | the data the run reads |
///
/// Files are named `epoch-0003.safetensors` after the number of epochs completed, so that
/// the newest sorts last; they are written atomically (temporary file, then `rename(2)`).
/// Beside each, `epoch-0003.safetensors.sha256` holds the file's SHA-256, checked before a
/// resume: a damaged checkpoint is moved aside and the run falls back to the previous one
/// (the newest two are kept), or to the start. The metadata `epoch_records` holds every
/// epoch's record so far, so a resumed run keeps its complete per-epoch history.
public struct PretrainingCheckpoint {
  public static let format = "siam.pretraining"
  public static let formatVersion = 1

  /// The file's tensors and metadata.
  public var checkpoint: Checkpoint
  /// Where it was read from or written to.
  public var path: String

  public init(checkpoint: Checkpoint, path: String) {
    self.checkpoint = checkpoint
    self.path = path
  }

  /// The metadata (`__metadata__`).
  public var metadata: [String: String] { checkpoint.metadata }

  /// Epochs completed when it was written (the run resumes at this epoch index).
  public var epochsCompleted: Int { metadata["epochs_completed"].flatMap { Int($0) } ?? -1 }

  /// Optimizer steps taken when it was written.
  public var globalStep: Int { metadata["global_step"].flatMap { Int($0) } ?? -1 }

  // MARK: - Files

  /// The file name of the checkpoint written after `epochsCompleted` epochs.
  public static func fileName(epochsCompleted: Int) -> String {
    "epoch-" + String(format: "%04d", epochsCompleted) + ".safetensors"
  }

  /// The epochs completed encoded in a checkpoint file name, or nil for other files
  /// (temporary files of an interrupted write among them).
  public static func epochsCompleted(fileName: String) -> Int? {
    guard fileName.hasPrefix("epoch-"), fileName.hasSuffix(".safetensors") else { return nil }
    let digits = fileName.dropFirst("epoch-".count).dropLast(".safetensors".count)
    guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
    return Int(digits)
  }

  /// The checkpoints in `directory`, oldest first; empty when the folder does not exist.
  ///
  /// - Throws: `NNError.fileAccess` when the folder exists but cannot be listed.
  public static func files(in directory: String) throws -> [(epochsCompleted: Int, path: String)] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return [] }
    guard isDirectory.boolValue else {
      throw NNError(.fileAccess, path: directory, "the checkpoint directory is a file; give a folder")
    }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw NNError(.fileAccess, path: directory, "cannot list the checkpoint directory", cause: error)
    }
    return names.compactMap { name in epochsCompleted(fileName: name).map { ($0, directory + "/" + name) } }
      .sorted { $0.epochsCompleted < $1.epochsCompleted }
  }

  /// The newest checkpoint file in `directory`, if any.
  public static func latestFile(in directory: String) throws -> String? {
    try files(in: directory).last?.path
  }

  /// Reads and checks a checkpoint file.
  ///
  /// - Throws: `NNError` (`.fileAccess`, `.truncated`, `.corruptHeader`, ...) when the
  ///   file is not a readable safetensors file; `SSLError.checkpointMismatch` when it is
  ///   not a pretraining checkpoint of a format this version reads.
  public static func read(from path: String) throws -> PretrainingCheckpoint {
    let result = PretrainingCheckpoint(checkpoint: try Checkpoint.read(from: path), path: path)
    let metadata = result.metadata
    guard metadata["format"] == format else {
      throw SSLError(
        .checkpointMismatch, key: "format",
        "\(path): not a Siam pretraining checkpoint (format '\(metadata["format"] ?? "none")'); "
          + "remove it from the checkpoint directory or choose another directory")
    }
    guard metadata["format_version"] == String(formatVersion) else {
      throw SSLError(
        .checkpointMismatch, key: "format_version",
        "\(path): checkpoint format version \(metadata["format_version"] ?? "none") is not \(formatVersion), "
          + "the version this engine reads; start a new run in another directory")
    }
    guard result.epochsCompleted >= 1, result.globalStep >= 0 else {
      throw SSLError(
        .checkpointMismatch, key: "epochs_completed",
        "\(path): metadata epochs_completed '\(metadata["epochs_completed"] ?? "none")' or global_step "
          + "'\(metadata["global_step"] ?? "none")' is not a valid count; the file is damaged")
    }
    return result
  }

  /// Writes the checkpoint atomically to `path`, then its checksum file.
  ///
  /// - Throws: `NNError.fileAccess` naming the path.
  public func write() throws {
    try checkpoint.write(to: path)
    let digest = try Self.sha256(of: path)
    let sidecar = Self.checksumPath(path)
    let temporary = sidecar + ".tmp-\(getpid())"
    do {
      try Data((digest + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
    } catch {
      throw NNError(.fileAccess, path: sidecar, "cannot write the checkpoint's checksum", cause: error)
    }
    guard rename(temporary, sidecar) == 0 else {
      throw NNError(
        .fileAccess, path: sidecar, "cannot write the checkpoint's checksum: \(String(cString: strerror(errno)))")
    }
  }

  /// The checksum file of the checkpoint at `path`.
  public static func checksumPath(_ path: String) -> String { path + ".sha256" }

  /// Lower-case hex SHA-256 of a file.
  static func sha256(of path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw NNError(.fileAccess, path: path, "cannot read the checkpoint")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
    return hasher.finalize().map { String(format: "%02x", $0) }.joined()
  }

  /// Reads the checkpoint at `path` after checking it against its checksum file.
  ///
  /// - Returns: The checkpoint, and whether its checksum was verified (false for a file
  ///   without a checksum file: written by an older version, or its writer was killed
  ///   between the two renames; it then reads whole or not at all).
  /// - Throws: `SSLError.damagedCheckpoint` when the file does not match its checksum or
  ///   cannot be read as a checkpoint.
  public static func readVerified(from path: String) throws -> (checkpoint: PretrainingCheckpoint, isVerified: Bool) {
    let sidecar = checksumPath(path)
    var isVerified = false
    if let recorded = (try? String(contentsOfFile: sidecar, encoding: .utf8))?.trimmingCharacters(
      in: .whitespacesAndNewlines)
    {
      let actual = try sha256(of: path)
      guard actual == recorded else {
        throw SSLError(
          .damagedCheckpoint, key: "sha256",
          "\(path) does not match its checksum (\(sidecar)): the file is damaged")
      }
      isVerified = true
    }
    do {
      return (try read(from: path), isVerified)
    } catch {
      throw SSLError(.damagedCheckpoint, key: "file", "\(path) cannot be read: \(error)")
    }
  }

  /// The newest checkpoint in `directory` that reads and matches its checksum (the ones
  /// that do not are skipped, and left where they are), with its epochs completed.
  ///
  /// - Complexity: Reads and hashes each checkpoint it looks at, newest first.
  public static func newestSound(in directory: String) -> (epochsCompleted: Int, path: String)? {
    for (epochs, path) in ((try? files(in: directory)) ?? []).reversed() {
      if let (checkpoint, _) = try? readVerified(from: path), checkpoint.epochsCompleted == epochs {
        return (epochs, path)
      }
    }
    return nil
  }

  /// Moves a damaged checkpoint (and its checksum file) out of the way, to
  /// `<name>.damaged-<time>`, so that it is not read again and can be inspected.
  ///
  /// - Returns: Where it went.
  @discardableResult
  public static func moveAside(_ path: String) -> String {
    let target = path + ".damaged-\(Int(Date().timeIntervalSince1970))"
    _ = rename(path, target)
    _ = rename(checksumPath(path), target + ".sha256")
    return target
  }

  /// Deletes the checkpoints in `directory` older than the newest, except those whose
  /// epoch count is a multiple of `keepEvery`, and the temporary files that interrupted
  /// writes left behind (`epoch-0003.safetensors.tmp-<pid>`).
  ///
  /// - Throws: `NNError.fileAccess` when a file cannot be removed.
  static func prune(directory: String, keepEvery: Int?) throws {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    for name in names where name.hasPrefix("epoch-") && name.contains(".tmp-") {
      unlink(directory + "/" + name)
    }
    // The newest two stay: a damaged newest one falls back to the one before.
    let all = try files(in: directory)
    for (epochs, path) in all.dropLast(2) where keepEvery.map({ epochs % $0 != 0 }) ?? true {
      if unlink(path) != 0 && errno != ENOENT {
        throw NNError(
          .fileAccess, path: path,
          "cannot remove an old checkpoint: \(String(cString: strerror(errno)))")
      }
      unlink(checksumPath(path))
    }
  }

  /// Creates `directory` (and its parents) when missing.
  static func createDirectory(_ directory: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw NNError(.fileAccess, path: directory, "cannot create the checkpoint directory", cause: error)
    }
  }
}
