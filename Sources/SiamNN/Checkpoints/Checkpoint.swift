import SiamTensor

/// A training checkpoint: a model's tensors under their dotted keys, optionally an
/// optimizer's state under `optimizer.<key>.<state>`, and string metadata, stored as one
/// safetensors file.
///
/// The model keys are exactly PyTorch's `state_dict` keys, so
/// `model.load_state_dict(load_file(path), strict=False)` in PyTorch reads a Siam
/// checkpoint (strict after dropping the `optimizer.` keys; `num_batches_tracked` is
/// stored as F32 and PyTorch converts it on copy).
public struct Checkpoint {
  /// The prefix of optimizer state keys.
  public static let optimizerPrefix = "optimizer."

  /// Every tensor of the file by key.
  public var tensors: [String: Tensor]
  /// String metadata (`__metadata__`), e.g. the epoch and the run id.
  public var metadata: [String: String]

  public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
    self.tensors = tensors
    self.metadata = metadata
  }

  /// A checkpoint of `model` (parameters and buffers) and, when given, `optimizer`.
  public init(model: Module, optimizer: (any Optimizer)? = nil, metadata: [String: String] = [:]) {
    var tensors = model.stateDictionary()
    if let optimizer {
      for (key, value) in optimizer.stateTensors() { tensors[Checkpoint.optimizerPrefix + key] = value }
    }
    self.init(tensors: tensors, metadata: metadata)
  }

  /// The model's tensors (every key without the optimizer prefix).
  public var modelTensors: [String: Tensor] {
    tensors.filter { !$0.key.hasPrefix(Checkpoint.optimizerPrefix) }
  }

  /// The optimizer state, keys without the prefix.
  public var optimizerState: [String: Tensor] {
    Dictionary(
      uniqueKeysWithValues: tensors.compactMap { key, value in
        key.hasPrefix(Checkpoint.optimizerPrefix)
          ? (String(key.dropFirst(Checkpoint.optimizerPrefix.count)), value) : nil
      })
  }

  /// Reads a checkpoint file.
  ///
  /// - Throws: `NNError` naming `path` (see `SafeTensors.read(from:)`).
  public static func read(from path: String) throws -> Checkpoint {
    let (tensors, metadata) = try SafeTensors.read(from: path)
    return Checkpoint(tensors: tensors, metadata: metadata)
  }

  /// Writes the checkpoint atomically.
  ///
  /// - Throws: `NNError.fileAccess` naming `path`.
  public func write(to path: String) throws {
    try SafeTensors.write(tensors, metadata: metadata, to: path)
  }

  /// Loads the model tensors into `model` (strict: same keys, same shapes).
  ///
  /// - Parameter source: The file name for error messages.
  /// - Throws: `NNError.keyMismatch` or `.shapeMismatch`; `model` is unchanged then.
  public func restore(_ model: Module, source: String? = nil) throws {
    try model.loadTensors(modelTensors, source: source)
  }

  /// Replaces `optimizer`'s state with the saved one.
  ///
  /// - Throws: `NNError.keyMismatch` when the state belongs to another optimizer type.
  public func restore<O: Optimizer>(_ optimizer: inout O) throws {
    try optimizer.loadState(optimizerState)
  }
}
