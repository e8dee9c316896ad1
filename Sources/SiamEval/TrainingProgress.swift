/// Where an evaluation's training loop stands (fine-tuning, supervised training, the
/// linear probe): what a progress bar draws. Epochs and steps are 0-based indices.
public struct TrainingProgress: Sendable, Hashable {
  /// The epoch index (0-based).
  public var epoch: Int
  public var epochs: Int
  /// The step's index in its epoch (0-based).
  public var step: Int
  public var stepsPerEpoch: Int
  /// The step's loss (the linear probe: the epoch's mean loss).
  public var loss: Double
  /// Samples per second of the step's wall time; nil when not measured.
  public var imagesPerSecond: Double?

  public init(epoch: Int, epochs: Int, step: Int, stepsPerEpoch: Int, loss: Double, imagesPerSecond: Double? = nil) {
    self.epoch = epoch
    self.epochs = epochs
    self.step = step
    self.stepsPerEpoch = stepsPerEpoch
    self.loss = loss
    self.imagesPerSecond = imagesPerSecond
  }
}
