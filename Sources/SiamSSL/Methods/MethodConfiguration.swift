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

  /// The method's name in pipeline files.
  public var name: String {
    switch self {
    case .simclr: "simclr"
    case .mocov2: "mocov2"
    case .byol: "byol"
    case .simsiam: "simsiam"
    case .barlowTwins: "barlow_twins"
    case .vicreg: "vicreg"
    }
  }

  /// Builds the method around encoders made by `encoder` for inputs `[C, H, W]`.
  ///
  /// - Parameters:
  ///   - encoder: The backbone.
  ///   - inputShape: `[C, H, W]` of one view.
  ///   - batchSize: `N` of every step (MoCo's queue size must be a multiple of it).
  ///   - key: The method's root key.
  /// - Throws: `SSLError.invalidConfiguration`.
  public func makeMethod(
    encoder: EncoderConfiguration, inputShape: [Int], batchSize: Int, key: RandomKey
  ) throws -> any Method {
    let make = { (key: RandomKey) in encoder.makeEncoder(inputShape: inputShape, key: key) }
    switch self {
    case .simclr(let c): return try SimCLR(configuration: c, makeEncoder: make, key: key)
    case .mocov2(let c): return try MoCoV2(configuration: c, batchSize: batchSize, makeEncoder: make, key: key)
    case .byol(let c): return try BYOL(configuration: c, makeEncoder: make, key: key)
    case .simsiam(let c): return try SimSiam(configuration: c, makeEncoder: make, key: key)
    case .barlowTwins(let c): return try BarlowTwins(configuration: c, makeEncoder: make, key: key)
    case .vicreg(let c): return try VICReg(configuration: c, makeEncoder: make, key: key)
    }
  }
}
