import Foundation

/// A `PretrainingObserver` that writes plain log lines (what a run shows when stdout is
/// not a terminal, and what goes into a run's log file):
///
///     simclr: 3 epochs × 48 steps of 256 (1234567 parameters), from the start
///     epoch 1/3 step 1/48 loss 5.1234 lr 0.0062 images/s 812 wait 0.4% eta 0:02:13
///     epoch 1/3 done loss 4.9876 embedding_std 0.0712 images/s 800 wait 1.2% 12.3s knn_top1 0.7100 eta 0:01:40
///     checkpoint epoch 1/3: runs/x/checkpoints/epoch-0001.safetensors
///
/// Epochs and steps are printed 1-based. Each line goes to `sink` without a newline.
public final class LineLogger: PretrainingObserver {
  private let sink: (String) -> Void
  private var epochs = 0
  private var stepsPerEpoch = 0

  /// - Parameter sink: Receives each line (for example `{ print($0) }` with line-buffered
  ///   stdout, or an append to a log file).
  public init(sink: @escaping (String) -> Void) {
    self.sink = sink
  }

  public func didStart(_ start: PretrainingStart) {
    epochs = start.epochs
    stepsPerEpoch = start.stepsPerEpoch
    let origin = start.resumedFrom.map { "resuming at epoch \(start.startEpoch + 1) from \($0)" } ?? "from the start"
    sink(
      "\(start.method): \(start.epochs) epochs × \(start.stepsPerEpoch) steps of \(start.batchSize) "
        + "(\(start.parameterCount) parameters), \(origin)")
  }

  public func didFinishStep(_ record: StepRecord) {
    var line = "epoch \(record.epoch + 1)/\(record.epochs) step \(record.step + 1)/\(record.stepsPerEpoch)"
    line += " loss " + Self.format(record.loss)
    line += " lr " + Self.format(record.learningRate)
    if let momentum = record.momentum { line += " momentum " + Self.format(momentum) }
    line += " images/s " + String(Int(record.imagesPerSecond.rounded()))
    line += " wait " + Self.percent(record.dataWaitSeconds / Swift.max(record.stepSeconds, 1e-9))
    line += " eta " + Self.duration(record.estimatedSecondsRemaining)
    sink(line)
  }

  public func didFinishEpoch(_ record: EpochRecord) {
    var line = "epoch \(record.epoch + 1)/\(record.epochs) done loss " + Self.format(record.meanLoss)
    if let std = record.embeddingStd { line += " embedding_std " + Self.format(std) }
    line += " images/s " + String(Int(record.imagesPerSecond.rounded()))
    line += " wait " + Self.percent(record.dataWaitFraction)
    line += " " + String(format: "%.1fs", record.seconds)
    for (key, value) in (record.knn ?? [:]).sorted(by: { $0.key < $1.key }) {
      line += " \(key) " + Self.format(value)
    }
    line += " eta " + Self.duration(record.estimatedSecondsRemaining)
    sink(line)
  }

  public func didSaveCheckpoint(path: String, epoch: Int) {
    sink("checkpoint epoch \(epoch + 1)/\(epochs): \(path)")
  }

  // MARK: - Formatting

  /// Four decimals, or scientific notation for small magnitudes (learning rates).
  static func format(_ value: Float) -> String {
    let magnitude = abs(value)
    if magnitude != 0 && magnitude < 1e-3 { return String(format: "%.3e", Double(value)) }
    return String(format: "%.4f", Double(value))
  }

  /// `0.0123` → `1.2%`.
  static func percent(_ fraction: Double) -> String {
    String(format: "%.1f%%", fraction * 100)
  }

  /// `h:mm:ss`; `?` when unknown.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let total = Int(seconds.rounded())
    return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
  }
}
