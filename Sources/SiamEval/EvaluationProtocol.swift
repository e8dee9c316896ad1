/// What a reported number means: the protocol that produced it, recorded next to every
/// metric so that a reader (or a SQL query) never has to guess.
///
/// Model selection is always `last`: the model evaluated on the test split is the one
/// after the final epoch. No epoch, learning rate or `k` is ever chosen by looking at
/// the test split.
public struct EvaluationProtocol: Codable, Sendable, Hashable {
  /// The family of evaluation.
  public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Multinomial logistic regression on frozen, standardised features.
    case linear
    /// Weighted k-nearest-neighbour vote on frozen, L2-normalised features.
    case knn
    /// The whole encoder and a linear head trained on all labels.
    case finetune
    /// Fine-tuning on a class-balanced labelled fraction of the train split.
    case semiSupervised = "semi_supervised"
    /// A freshly initialised encoder and a linear head trained end to end (baseline).
    case supervised
    /// Label-free statistics of the features (alignment, uniformity, rank, std).
    case diagnostics
  }

  /// The only model-selection rule used: the model after the last epoch.
  public static let lastEpochSelection = "last"

  public var kind: Kind
  /// Which representation was evaluated (`encoder output`, `raw pixels`).
  public var featureLayer: String
  /// The split the classifier was fitted on (`fashion-mnist/train`), or nil.
  public var trainSplit: String?
  /// The split the metrics were measured on (`fashion-mnist/test`).
  public var evaluationSplit: String
  /// Training epochs of the classifier (linear, fine-tuning), nil where none.
  public var epochs: Int?
  /// Neighbours of the kNN vote.
  public var k: Int?
  /// Temperature of the kNN weights `exp(s/T)`.
  public var temperature: Double?
  /// Fraction of the train labels used (semi-supervised).
  public var labelFraction: Double?
  /// Always `last` (see the type's documentation).
  public var selection: String
  /// Free-form settings that complete the description (`optimizer: sgd`, ...), sorted
  /// by key when encoded.
  public var settings: [String: String]

  public init(
    kind: Kind, featureLayer: String = "encoder output", trainSplit: String?, evaluationSplit: String,
    epochs: Int? = nil, k: Int? = nil, temperature: Double? = nil, labelFraction: Double? = nil,
    settings: [String: String] = [:]
  ) {
    self.kind = kind
    self.featureLayer = featureLayer
    self.trainSplit = trainSplit
    self.evaluationSplit = evaluationSplit
    self.epochs = epochs
    self.k = k
    self.temperature = temperature
    self.labelFraction = labelFraction
    self.selection = Self.lastEpochSelection
    self.settings = settings
  }
}
