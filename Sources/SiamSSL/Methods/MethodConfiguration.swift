import SiamNN
import SiamTensor

/// A serialisable choice of method with its hyperparameters (what a pipeline file
/// names), and the one place methods are built from a configuration.
public enum MethodConfiguration: Sendable, Hashable {
  case simclr(SimCLR.Configuration)
  case mocov2(MoCoV2.Configuration)
  case byol(BYOL.Configuration)
  case simsiam(SimSiam.Configuration)
  case barlowTwins(BarlowTwins.Configuration)
  case vicreg(VICReg.Configuration)
  case mocov3(MoCoV3.Configuration)
  case dino(DINO.Configuration)
  case nnclr(NNCLR.Configuration)
  case swav(SwAV.Configuration)

  /// The method's name in pipeline files.
  public var name: String {
    switch self {
    case .simclr: "simclr"
    case .mocov2: "mocov2"
    case .byol: "byol"
    case .simsiam: "simsiam"
    case .barlowTwins: "barlow_twins"
    case .vicreg: "vicreg"
    case .mocov3: "mocov3"
    case .dino: "dino"
    case .nnclr: "nnclr"
    case .swav: "swav"
    }
  }

  /// The methods that take multi-crop local views beside their two global views.
  public static let localViewMethods = ["swav", "dino"]

  /// Whether the method takes multi-crop local views beside its two global views.
  public var takesLocalViews: Bool { Self.localViewMethods.contains(name) }

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
    let make = { (key: RandomKey) in encoder.makeEncoder(inputShape: inputShape, key: key) }
    try require(
      localViewCount == 0 || takesLocalViews, "localViews",
      "\(name) takes two views; multi-crop local views are for \(Self.localViewMethods.joined(separator: " and "))")
    switch self {
    case .simclr(let c): return try SimCLR(configuration: c, makeEncoder: make, key: key)
    case .mocov2(let c): return try MoCoV2(configuration: c, batchSize: batchSize, makeEncoder: make, key: key)
    case .byol(let c): return try BYOL(configuration: c, makeEncoder: make, key: key)
    case .simsiam(let c): return try SimSiam(configuration: c, makeEncoder: make, key: key)
    case .barlowTwins(let c): return try BarlowTwins(configuration: c, makeEncoder: make, key: key)
    case .vicreg(let c): return try VICReg(configuration: c, makeEncoder: make, key: key)
    case .mocov3(let c): return try MoCoV3(configuration: c, makeEncoder: make, key: key)
    case .dino(let c): return try DINO(configuration: c, localViewCount: localViewCount, makeEncoder: make, key: key)
    case .nnclr(let c): return try NNCLR(configuration: c, batchSize: batchSize, makeEncoder: make, key: key)
    case .swav(let c):
      return try SwAV(
        configuration: c, batchSize: batchSize, localViewCount: localViewCount, makeEncoder: make, key: key)
    }
  }
}
