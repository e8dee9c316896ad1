import SiamNN
import SiamSSL
import SiamTensor
import Testing

/// Tiny networks and batches shared by the method tests.
enum Tiny {
  static let batchSize = 8

  /// A two-stage ConvNet (1→4→8 channels) on `[N, 1, 8, 8]` views: `D = 8`.
  static func convEncoder(_ key: RandomKey) -> any FeatureEncoder {
    ConvNet(inputChannels: 1, widths: [4, 8], strides: [1, 2], key: key)
  }

  /// An MLP 64 → 16 on flattened `[N, 1, 8, 8]` views: `D = 16`.
  static func mlpEncoder(_ key: RandomKey) -> any FeatureEncoder {
    MLPEncoder(inputFeatures: 64, widths: [16], key: key)
  }

  /// Two random views `[8, 1, 8, 8]`; the second is a noisy copy of the first.
  static func views(seed: UInt64 = 7) -> [Tensor] {
    let key = RandomKey(seed: seed)
    let x = Tensor.randomNormal(shape: [batchSize, 1, 8, 8], key: key.folded(in: "x"))
    let noise = Tensor.randomNormal(shape: [batchSize, 1, 8, 8], standardDeviation: 0.3, key: key.folded(in: "noise"))
    return [x, x + noise]
  }

  static let simclr = SimCLR.Configuration(projectorHiddenWidths: [16], projectorOutputFeatures: 8)
  static let moco = MoCoV2.Configuration(projectorHiddenWidths: [16], projectorOutputFeatures: 8, queueSize: 32)
  static let byol = BYOL.Configuration(
    projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16])
  static let simsiam = SimSiam.Configuration(
    projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [4])
  static let barlow = BarlowTwins.Configuration(projectorHiddenWidths: [16], projectorOutputFeatures: 8)
  static let vicreg = VICReg.Configuration(projectorHiddenWidths: [16], projectorOutputFeatures: 8)
  static let mocov3 = MoCoV3.Configuration(
    projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16])
  static let nnclr = NNCLR.Configuration(
    projectorHiddenWidths: [16], projectorOutputFeatures: 8, predictorHiddenWidths: [16], queueSize: 32)
  static let swav = SwAV.Configuration(projectorHiddenWidths: [16], projectorOutputFeatures: 8, prototypes: 10)
  static let dino = DINO.Configuration(headHiddenWidths: [16], bottleneckFeatures: 8, prototypes: 10)

  /// Two global views (`views(seed:)`) and `localCount` local views `[8, 1, 4, 4]` (the
  /// centre of the image plus noise).
  static func multiCropViews(localCount: Int, seed: UInt64 = 7) -> [Tensor] {
    let globals = views(seed: seed)
    let key = RandomKey(seed: seed).folded(in: "local")
    let centre = globals[0].slice(alongAxis: 2, 2..<6).slice(alongAxis: 3, 2..<6)
    return globals
      + (0..<localCount).map { v in
        centre
          + Tensor.randomNormal(shape: [batchSize, 1, 4, 4], standardDeviation: 0.3, key: key.folded(in: UInt64(v)))
      }
  }
}

/// Runs one step of `method` and checks what every method promises: a finite loss, a
/// gradient for exactly the trainable parameters, each of them nonzero somewhere, no
/// gradient for target parameters, and the metrics `loss` and `embedding_std`.
func expectHealthyStep(
  _ method: any Method, views: [Tensor] = Tiny.views(), sourceLocation: SourceLocation = #_sourceLocation
) -> MethodStep {
  let step = method.computeGradients(views: views)
  #expect(step.loss.isFinite, "\(method.name): loss \(step.loss)", sourceLocation: sourceLocation)
  let trainable = method.trainableModule.namedParameters().map(\.key)
  #expect(Set(step.gradients.keys) == Set(trainable), "\(method.name): gradient keys", sourceLocation: sourceLocation)
  for key in trainable {
    let gradient = step.gradients[key]!
    #expect(
      gradient.scalars.allSatisfy { $0.isFinite } && gradient.scalars.contains { $0 != 0 },
      "\(method.name): no gradient reaches \(key)", sourceLocation: sourceLocation)
  }
  #expect(!step.gradients.keys.contains { $0.hasPrefix("momentum_") }, sourceLocation: sourceLocation)
  #expect(step.metrics["loss"] == step.loss, sourceLocation: sourceLocation)
  #expect(step.metrics["embedding_std"].map { $0 > 0 && $0.isFinite } == true, sourceLocation: sourceLocation)
  return step
}
