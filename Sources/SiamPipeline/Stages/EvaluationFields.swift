/// Fields shared by the evaluation stage kinds.
enum EvaluationFields {
  typealias Field = ParameterShape.Field

  static func epochs(_ value: Int) -> Field {
    .init("epochs", .integer(.within(1, 10_000)), .defaultValue(.number(value)), "Passes over the training set.")
  }

  static func lr(_ value: Double) -> Field {
    .init("lr", .number(.positive), .defaultValue(.number(value)), "Learning rate (cosine decay to 0).")
  }

  static func weightDecay(_ value: Double) -> Field {
    .init("weight_decay", .number(.nonNegative), .defaultValue(.number(value)), "Weight decay.")
  }

  static func batchSize(_ value: Int) -> Field {
    .init("batch_size", .integer(.within(1, 65_536)), .defaultValue(.number(value)), "Images per step.")
  }

  static let augmentation = Field(
    "augmentation", .nullable(PretrainParameters.viewShape), .optional,
    "Training augmentation: a chain's name or an inline chain; null trains on the images as they are.")
}
