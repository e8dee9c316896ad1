/// The tiny SimCLR pipeline the runner, store, CLI and report tests share: 64 train and
/// 32 test synthetic images of 1×12×12 in 4 classes (stage `data`), a two-stage ConvNet
/// `[4, 8]` (`small`), and a `pretrain` stage (SimCLR, projector `[8, 8]`, SGD 0.05,
/// batch 16), followed by the evaluation stages each test needs.
public enum TinyPipeline {
  /// The YAML text of the pipeline.
  ///
  /// - Parameters:
  ///   - name: The pipeline's name.
  ///   - seed: The pipeline seed.
  ///   - epochs: Pretraining epochs.
  ///   - flip: Whether the view chain ends with a horizontal flip (p 0.5) after its
  ///     random resized crop (scale 0.5–1).
  ///   - pretrainExtra: More `key: value` lines of the `pretrain` stage.
  ///   - stages: The stages after `pretrain`, one `name: {…}` line each.
  public static func yaml(
    name: String, seed: Int = 3, epochs: Int = 2, flip: Bool = true, pretrainExtra: [String] = [],
    stages: [String]
  ) -> String {
    var lines = [
      "name: \(name)",
      "seed: \(seed)",
      "augmentations:",
      "  view:",
      "    - random_resized_crop: {size: 12, scale: [0.5, 1.0]}",
    ]
    if flip { lines.append("    - horizontal_flip: {p: 0.5}") }
    lines += [
      "encoders:",
      "  small: {type: convnet, widths: [4, 8], strides: [1, 2]}",
      "stages:",
      "  data: {kind: dataset, source: synthetic, samples: 64, test_samples: 32, classes: 4, shape: [1, 12, 12]}",
      "  pretrain:",
      "    kind: pretrain",
      "    needs: [data]",
      "    encoder: small",
      "    views: [view, view]",
      "    method: {type: simclr, temperature: 0.5, projector: [8, 8]}",
      "    optimizer: {type: sgd, lr: 0.05}",
      "    epochs: \(epochs)",
      "    batch_size: 16",
    ]
    lines += pretrainExtra.map { "    " + $0 }
    lines += stages.map { "  " + $0 }
    return lines.joined(separator: "\n") + "\n"
  }
}
