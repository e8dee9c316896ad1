import SiamNN
import SiamTensor

/// An encoder with a linear classification head, trained end to end by `FineTuner`.
///
/// Shapes: `[N, C, H, W] → [N, classes]`. Keys: `encoder.…`, `head.weight`, `head.bias`.
public final class ClassifierModel: Module {
  public let encoder: any FeatureEncoder
  public let head: Linear

  /// - Parameters:
  ///   - encoder: The backbone (its parameters are shared, not copied).
  ///   - classCount: Number of classes.
  ///   - key: Draws the head's PyTorch-default initialisation.
  public init(encoder: any FeatureEncoder, classCount: Int, key: RandomKey) {
    self.encoder = encoder
    self.head = Linear(encoder.outputFeatures, classCount, key: key)
    super.init()
    addChild("encoder", encoder)
    addChild("head", head)
  }

  /// `[N, C, H, W] → [N, classes]`.
  public override func callAsFunction(_ x: Tensor) -> Tensor {
    head(encoder(x))
  }
}
