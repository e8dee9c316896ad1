import Foundation
import SiamNN
import SiamTensor

/// What one training step of a method produces: the loss, its gradient with respect to
/// every parameter of `trainableModule` (keyed by dotted key) and named metrics.
public typealias MethodStep = (loss: Float, gradients: [String: Tensor], metrics: [String: Float])

/// A self-supervised method: its networks, its loss and what it does between steps.
///
/// The pretraining loop drives every method the same way:
///
///     let (loss, gradients, metrics) = method.computeGradients(views: views)
///     optimizer.update(method.trainableModule, gradients: gradients)
///     let more = method.afterOptimizerStep(step: step, totalSteps: totalSteps)
///
/// - `trainableModule` holds only what the optimizer updates (the online `encoder`,
///   `projector`, `predictor`); gradient keys are its keys (`encoder.0.weight`).
/// - `stateModule` holds everything to checkpoint: the online children under the same
///   names, target networks (`momentum_encoder`, `momentum_projector`) and non-parameter
///   state as buffers (MoCo's `queue`, `queue_ptr`). Its `stateDictionary()` is the
///   method's checkpoint; target parameters are of kind `.parameter` there (they are
///   parameters of a network) but never receive gradients.
/// - `encoder` is the backbone to evaluate (linear probe, kNN).
///
/// Methods are reference types that own modules; they are not `Sendable`.
public protocol Method: AnyObject {
  /// The method's name in pipeline files (`simclr`, `mocov2`, `byol`, ...).
  var name: String { get }
  /// The number of views each step needs (2 for all methods here).
  var viewCount: Int { get }
  /// The online network the optimizer updates.
  var trainableModule: Module { get }
  /// Every module and buffer to checkpoint, under its name.
  var stateModule: Module { get }
  /// The backbone whose features are evaluated.
  var encoder: any FeatureEncoder { get }

  /// The method's hyperparameters as canonical JSON (sorted keys): checkpoints record
  /// it, and a run resumes only from a checkpoint with the same. `ConfiguredMethod`
  /// provides it from an `Encodable` `configuration`.
  var configurationJSON: String { get }

  /// Tells the method where the loop stands before `computeGradients` of that step:
  /// schedules that depend on the epoch (DINO's teacher temperature, a frozen layer
  /// during the first epochs) read it here. The default does nothing.
  func prepareStep(_ position: StepPosition)

  /// Runs the forward and backward passes on one batch of views.
  ///
  /// Updates what a forward pass updates (BatchNorm running statistics) and, for MoCo,
  /// enqueues this batch's keys after computing the loss.
  ///
  /// - Parameter views: `viewCount` tensors `[N, C, H, W]` (or `[N, F]` for an MLP
  ///   encoder), view `v` of sample `i` at row `i` of `views[v]`.
  /// - Returns: The loss, gradients keyed like `trainableModule`, and metrics: always
  ///   `loss` and `embedding_std` (mean per-dimension standard deviation of the
  ///   L2-normalised projections: `1/√D` when spread, 0 at collapse), plus
  ///   method-specific ones.
  func computeGradients(views: [Tensor]) -> MethodStep

  /// Updates target networks after the optimizer stepped (EMA); a no-op for methods
  /// without one.
  ///
  /// - Parameters:
  ///   - step: The index of the step just taken, from 0.
  ///   - totalSteps: The number of steps of the whole run (for momentum schedules).
  /// - Returns: Metrics of the update (`momentum`, the `m` just applied).
  @discardableResult
  func afterOptimizerStep(step: Int, totalSteps: Int) -> [String: Float]

  /// Restores the state written by `stateModule.stateDictionary()`.
  ///
  /// - Throws: `NNError` for missing, unexpected or misshapen tensors; `SSLError` for
  ///   inconsistent state. Nothing is assigned unless everything checks out.
  func loadState(_ tensors: [String: Tensor], source: String?) throws
}

/// Where a training step stands in the run: a pure function of the global step, so that
/// whatever a method derives from it is the same after a resume.
public struct StepPosition: Sendable, Hashable {
  /// The global step about to be taken, from 0.
  public var step: Int
  /// Optimizer steps per epoch.
  public var stepsPerEpoch: Int
  /// Optimizer steps of the whole run.
  public var totalSteps: Int

  public init(step: Int, stepsPerEpoch: Int, totalSteps: Int) {
    precondition(
      step >= 0 && stepsPerEpoch > 0 && totalSteps > 0,
      "StepPosition: step \(step), \(stepsPerEpoch) steps per epoch, \(totalSteps) in all")
    self.step = step
    self.stepsPerEpoch = stepsPerEpoch
    self.totalSteps = totalSteps
  }

  /// The epoch the step belongs to, from 0.
  public var epoch: Int { step / stepsPerEpoch }
}

/// A method as pipelines and checkpoints know it: a name, one `Encodable` value of
/// hyperparameters (from which it gets `configurationJSON`) and how to build it. A
/// method's file declares all of it; `MethodConfiguration(Type.self, configuration)`
/// carries any of them.
public protocol ConfiguredMethod: Method, SendableMetatype {
  associatedtype Configuration: Encodable, Sendable, Hashable
  var configuration: Configuration { get }
  /// The method's name in pipeline files and checkpoints (`simclr`).
  static var methodName: String { get }
  /// Whether it takes multi-crop local views beside its two global views (default no).
  static var takesLocalViews: Bool { get }
  /// The method built from `configuration`.
  ///
  /// - Throws: `SSLError.invalidConfiguration` for values the method cannot use.
  static func make(_ configuration: Configuration, _ build: MethodBuild) throws -> any Method
}

/// What building a method needs besides its configuration.
public struct MethodBuild {
  /// Makes one backbone (the online encoder, a momentum copy, ...) from a key.
  public var makeEncoder: (RandomKey) -> any FeatureEncoder
  /// `N` of every step (MoCo's, NNCLR's and SwAV's queue sizes must be multiples of it).
  public var batchSize: Int
  /// Multi-crop local views after the two global ones.
  public var localViewCount: Int
  /// The method's root key.
  public var key: RandomKey

  public init(
    makeEncoder: @escaping (RandomKey) -> any FeatureEncoder, batchSize: Int, localViewCount: Int, key: RandomKey
  ) {
    self.makeEncoder = makeEncoder
    self.batchSize = batchSize
    self.localViewCount = localViewCount
    self.key = key
  }
}

extension ConfiguredMethod {
  public static var takesLocalViews: Bool { false }

  public var name: String { Self.methodName }

  public var configurationJSON: String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    // Configurations hold numbers, strings, booleans and arrays of them: encoding cannot fail.
    return (try? encoder.encode(configuration)).map { String(decoding: $0, as: UTF8.self) } ?? ""
  }
}

extension Method {
  public var viewCount: Int { 2 }

  public func prepareStep(_ position: StepPosition) {}

  @discardableResult
  public func afterOptimizerStep(step: Int, totalSteps: Int) -> [String: Float] { [:] }

  public func loadState(_ tensors: [String: Tensor], source: String?) throws {
    try stateModule.loadTensors(tensors, isStrict: true, source: source)
  }

  /// Every tensor to checkpoint, by dotted key.
  public func stateTensors() -> [String: Tensor] {
    stateModule.stateDictionary()
  }

  /// Training (true) or evaluation mode for every module of the method.
  public func train(_ isTraining: Bool = true) {
    stateModule.train(isTraining)
  }

  /// Traps unless `views` holds `viewCount` tensors of `N > 1` rows: the first
  /// `globalCount` of one shape, the rest (multi-crop's local views) of another.
  func checkMultiCropViews(_ views: [Tensor], globalCount: Int) {
    precondition(views.count == viewCount, "\(name): needs \(viewCount) views, got \(views.count)")
    let local = views.dropFirst(globalCount)
    precondition(
      views[0].rank >= 2 && views[0].shape[0] > 1
        && views.prefix(globalCount).allSatisfy { $0.shape == views[0].shape }
        && local.allSatisfy { $0.shape == local.first!.shape && $0.shape[0] == views[0].shape[0] },
      "\(name): views must be [N, ...] with N > 1, the global ones of one shape and the local ones of another, got \(views.map(\.shape))"
    )
  }

  /// `f` of every view, computed once per size: the global views concatenated into one
  /// batch, the local views into another (BatchNorm then sees all views of a size, as in
  /// the multi-crop papers' code), split back into one tensor per view.
  func forwardByResolution(_ views: [Tensor], globalCount: Int, _ f: (Tensor) -> Tensor) -> [Tensor] {
    let groups = [Array(views.prefix(globalCount)), Array(views.dropFirst(globalCount))].filter { !$0.isEmpty }
    return groups.flatMap { group in splitRows(f(concatenated(group, alongAxis: 0)), into: group.count) }
  }

  /// Traps unless `views` holds `viewCount` tensors of one shape with `N > 1` rows.
  func checkViews(_ views: [Tensor]) {
    precondition(views.count == viewCount, "\(name): needs \(viewCount) views, got \(views.count)")
    precondition(
      views.allSatisfy { $0.shape == views[0].shape } && views[0].rank >= 2 && views[0].shape[0] > 1,
      "\(name): views must share one shape [N, ...] with N > 1, got \(views.map(\.shape))")
  }
}
