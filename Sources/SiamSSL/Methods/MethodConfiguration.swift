import SiamNN
import SiamTensor

/// A choice of method with its hyperparameters (what a pipeline file names), and the one
/// place methods are built from a configuration.
///
/// It holds any `ConfiguredMethod`'s configuration: adding a method adds no case here.
/// Each method's file has a shorthand (`.simclr(...)`, `.dino(...)`).
public struct MethodConfiguration: @unchecked Sendable, Hashable, CustomStringConvertible {
  /// The method's name in pipeline files.
  public let name: String
  /// Whether the method takes multi-crop local views beside its two global views.
  public let takesLocalViews: Bool
  /// The method's `Configuration` (a `Sendable` value, which `AnyHashable` does not say).
  private let configuration: AnyHashable
  private let build: @Sendable (MethodBuild) throws -> any Method

  public init<M: ConfiguredMethod>(_ method: M.Type, _ configuration: M.Configuration) {
    name = M.methodName
    takesLocalViews = M.takesLocalViews
    self.configuration = AnyHashable(configuration)
    build = { try M.make(configuration, $0) }
  }

  /// The configuration when this is a configuration of `method`.
  public func configuration<M: ConfiguredMethod>(of method: M.Type) -> M.Configuration? {
    configuration.base as? M.Configuration
  }

  public static func == (a: MethodConfiguration, b: MethodConfiguration) -> Bool {
    a.name == b.name && a.configuration == b.configuration
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(name)
    hasher.combine(configuration)
  }

  public var description: String { "\(name)(\(configuration.base))" }

  /// Throws unless the loader's view shapes fit a method: the global views (the first
  /// `shapes.count − localViewCount`) share one shape, the local views another, and views
  /// of two sizes meet a convolutional encoder (an MLP reads a fixed `C·H·W`).
  ///
  /// - Parameters:
  ///   - shapes: `[C, H, W]` of each view, global views first.
  ///   - localViewCount: How many of them are local views.
  ///   - encoder: The backbone.
  /// - Throws: `SSLError.invalidConfiguration` naming the views and their shapes.
  public static func checkViewShapes(_ shapes: [[Int]], localViewCount: Int, encoder: EncoderConfiguration) throws {
    let globals = shapes.dropLast(localViewCount)
    let locals = shapes.suffix(localViewCount)
    func describe(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
    try require(
      Set(globals).count <= 1, "views",
      "the views make images of different sizes (\(globals.map(describe).joined(separator: ", "))); "
        + "give every view the same crop size (smaller crops belong in local_views)")
    try require(
      Set(locals).count <= 1, "localViews",
      "the local views make images of different sizes (\(locals.map(describe).joined(separator: ", "))); give them one crop size"
    )
    if case .mlp = encoder, let local = locals.first, let global = globals.first, local != global {
      throw SSLError(
        .invalidConfiguration, key: "localViews",
        "an mlp encoder reads \(describe(global)) images, the local views are \(describe(local)); use a convolutional encoder (convnet, resnet18) for multi-crop"
      )
    }
  }

  /// Builds the method around encoders made by `encoder` for inputs `[C, H, W]`.
  ///
  /// - Parameters:
  ///   - encoder: The backbone.
  ///   - inputShape: `[C, H, W]` of one view.
  ///   - batchSize: `N` of every step (MoCo's and NNCLR's queue sizes must be multiples of it).
  ///   - localViewCount: Multi-crop local views after the two global ones (only for
  ///     methods that `takesLocalViews`).
  ///   - key: The method's root key.
  /// - Throws: `SSLError.invalidConfiguration`, also for local views given to a method
  ///   that does not take them.
  public func makeMethod(
    encoder: EncoderConfiguration, inputShape: [Int], batchSize: Int, localViewCount: Int = 0, key: RandomKey
  ) throws -> any Method {
    try require(
      localViewCount == 0 || takesLocalViews, "localViews",
      "\(name) takes two views, not multi-crop local views")
    return try build(
      MethodBuild(
        makeEncoder: { encoder.makeEncoder(inputShape: inputShape, key: $0) }, batchSize: batchSize,
        localViewCount: localViewCount, key: key))
  }
}
