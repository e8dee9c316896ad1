import SiamNN
import SiamSSL

/// `kind: pretrain`: self-supervised pretraining of an encoder on a dataset stage.
///
/// ```yaml
/// pretrain:
///   kind: pretrain
///   needs: [data]
///   encoder: small              # a name under encoders:, an inline definition, or absent (default ConvNet)
///   views: [view, view]         # names under augmentations: (or inline chains), one per view
///   local_views: [crop, crop]   # multi-crop (dino): smaller views for the student only
///   method: {type: simclr, temperature: 0.5, projector: [128, 64]}
///   optimizer: {type: lars, lr: 0.3, weight_decay: 1.0e-6}
///   epochs: 15
///   batch_size: 256
/// ```
public struct PretrainParameters: StageParameters, Hashable {
  public static let kind = "pretrain"
  public static let implementationVersion = 1
  public static let inputs = StageInputs(kinds: ["dataset"], count: 1...1)
  public static let documentation = "Self-supervised pretraining of an encoder."

  public static let shape: ParameterShape = .object(
    .init(
      [
        .init(
          "encoder", EncoderSpec.referenceShape, .defaultValue(EncoderSpec.defaultEncoder),
          "Name of an encoder under encoders:, or an inline encoder; default the small ConvNet."),
        .init(
          "views", .list(viewShape, minCount: 2), .required,
          "One augmentation chain per view: names under augmentations: or inline chains."),
        .init(
          "local_views", .list(viewShape, minCount: 0, maxCount: 64), .defaultValue(.array([])),
          "Multi-crop: one chain per local view (usually smaller crops), for methods that take them (dino, swav)."),
        .init("method", MethodSpec.shape, .required, "The method and its hyperparameters."),
        .init("optimizer", OptimizerSpec.shape, .implied, "Optimizer and learning-rate schedule."),
        .init("epochs", .integer(.within(1, 10_000)), .defaultValue(100), "Passes over the training set."),
        .init(
          "batch_size", .integer(.within(2, 65_536)), .defaultValue(256), "Images per step (each seen in every view)."),
        .init(
          "knn_every_epochs", .nullable(.integer(.within(1, 10_000))), .optional,
          "Run the kNN monitor (weighted kNN, k 200, T 0.1, train → test split) every N epochs and after the last; absent: never."
        ),
      ],
      check: { v in
        var problems: [ParameterShape.Problem] = []
        if let method = v["method"], let local = v["local_views"]?.arrayValue, !local.isEmpty,
          !MethodSpec.configuration(resolved: method).takesLocalViews
        {
          problems.append(
            .init(
              key: "local_views",
              "\(method["type"]?.stringValue ?? "this method") takes two views; multi-crop local_views are for "
                + MethodSpec.localViewMethods.joined(separator: " and ")))
        }
        if let queue = v["method"]?["queue_size"]?.intValue,
          let batch = v["batch_size"]?.intValue, queue % batch != 0
        {
          problems.append(
            .init(
              key: "method",
              "queue_size \(queue) must be a multiple of batch_size \(batch) "
                + "(for example \(max(1, queue / batch) * batch))"))
        }
        return problems
      }))

  /// A view: a chain's name or an inline chain.
  static let viewShape: ParameterShape = .alternatives([.reference(.augmentation), AugmentationChainSpec.shape])

  public var encoder: EncoderConfiguration
  public var views: [AugmentationChainSpec]
  /// Multi-crop's local views, after the global `views` (empty for most methods).
  public var localViews: [AugmentationChainSpec]
  public var method: MethodConfiguration
  public var optimizer: OptimizerSpec
  public var epochs: Int
  public var batchSize: Int
  /// Epochs between kNN monitor evaluations; `nil`: no monitor.
  public var knnEveryEpochs: Int?

  public init(resolved: ResolvedValues) {
    encoder = EncoderSpec.configuration(resolved: resolved.raw("encoder"))
    views = resolved.raw("views").arrayValue!.map(AugmentationChainSpec.init(resolved:))
    localViews = resolved.raw("local_views").arrayValue!.map(AugmentationChainSpec.init(resolved:))
    method = MethodSpec.configuration(resolved: resolved.raw("method"))
    optimizer = OptimizerSpec(resolved: resolved.raw("optimizer"))
    epochs = resolved.int("epochs")
    batchSize = resolved.int("batch_size")
    knnEveryEpochs = resolved.optionalInt("knn_every_epochs")
  }
}
