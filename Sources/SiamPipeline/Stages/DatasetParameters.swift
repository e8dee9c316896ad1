/// `kind: dataset`: where the images come from.
///
/// ```yaml
/// data: {kind: dataset, source: fashion-mnist, limit: 10000}
/// ```
///
/// | source | keys (defaults) |
/// | --- | --- |
/// | `fashion-mnist` (default) | `path` /usr/share/datasets/fashion-mnist |
/// | `mnist` | `path` /usr/share/datasets/mnist |
/// | `cifar10`, `cifar100` | `path` (required); cifar100: `labels` fine or coarse |
/// | `npy` | `images`, `labels` (required); `test_images`, `test_labels` (both or neither) |
/// | `synthetic` | `samples` 1024, `test_samples` 256, `classes` 10, `shape` [1, 28, 28] |
///
/// Every source takes `limit` and `test_limit`: use only the first N training (test)
/// samples; null uses all.
public struct DatasetParameters: StageParameters, Hashable {
  public enum Source: String, Sendable, Hashable, CaseIterable {
    case fashionMNIST = "fashion-mnist"
    case mnist, cifar10, cifar100, npy, synthetic
  }

  public static let kind = "dataset"
  public static let implementationVersion = 1
  public static let inputs = StageInputs.none
  public static let documentation = "Loads a dataset (train and test splits)."

  public static let shape: ParameterShape = .union(
    .init(
      discriminator: "source",
      [
        .init(
          "fashion-mnist", .init([path("/usr/share/datasets/fashion-mnist")] + limits), "Fashion-MNIST (IDX files)."),
        .init("mnist", .init([path("/usr/share/datasets/mnist")] + limits), "MNIST (IDX files)."),
        .init("cifar10", .init([path(nil)] + limits), "CIFAR-10 (binary version)."),
        .init(
          "cifar100",
          .init(
            [
              path(nil),
              .init("labels", .enumeration(["fine", "coarse"]), .defaultValue("fine"), "Which CIFAR-100 labels."),
            ] + limits), "CIFAR-100 (binary version)."),
        .init(
          "npy",
          .init(
            [
              .init(
                "images", .string(), .required,
                "Training images: [N, H, W], [N, H, W, C] (layout nhwc) or [N, C, H, W] (layout nchw); uint8, float32 or float64."
              ),
              .init("labels", .string(), .required, "Training labels, [N], integers (int64, int32 or uint8)."),
              .init(
                "test_images", .nullable(.string()), .optional,
                "Test images (without them, the test split is the training split)."),
              .init("test_labels", .nullable(.string()), .optional, "Test labels."),
              .init(
                "layout", .enumeration(["nhwc", "nchw"]), .defaultValue("nhwc"), "Axis order of 4-D image arrays."),
              .init(
                "classes", .nullable(.integer(.within(2, 100_000))), .optional,
                "Number of classes (default: largest label + 1)."),
            ] + limits,
            check: { v in
              (v["test_images"] == .null) == (v["test_labels"] == .null)
                ? []
                : [
                  .init(
                    key: v["test_images"] == .null ? "test_labels" : "test_images",
                    "give both test_images and test_labels, or neither")
                ]
            }), "NumPy .npy arrays."),
        .init(
          "synthetic",
          .init(
            [
              .init("samples", .integer(.within(1, 10_000_000)), .defaultValue(1024), "Training samples."),
              .init("test_samples", .integer(.within(1, 10_000_000)), .defaultValue(256), "Test samples."),
              .init("classes", .integer(.within(2, 100_000)), .defaultValue(10), "Number of classes."),
              .init(
                "shape", .list(.integer(.within(1, 4096)), minCount: 3, maxCount: 3), .defaultValue([1, 28, 28]),
                "[C, H, W]."),
            ] + limits), "A deterministic synthetic dataset (for tests)."),
      ], defaultVariant: "fashion-mnist"))

  private static func path(_ defaultPath: String?) -> ParameterShape.Field {
    .init("path", .string(), defaultPath.map { .defaultValue(.string($0)) } ?? .required, "Folder holding the files.")
  }

  private static let limits: [ParameterShape.Field] = [
    .init("limit", .nullable(.integer(.within(1, 1_000_000_000))), .optional, "Use only the first N training samples."),
    .init(
      "test_limit", .nullable(.integer(.within(1, 1_000_000_000))), .optional, "Use only the first N test samples."),
  ]

  public var source: Source
  /// All resolved keys of the source (`path`, `images`, `samples`, ...).
  public var values: ResolvedValues
  public var limit: Int?
  public var testLimit: Int?

  public init(resolved: ResolvedValues) {
    source = Source(rawValue: resolved.string("source"))!
    values = resolved
    limit = resolved.optionalInt("limit")
    testLimit = resolved.optionalInt("test_limit")
  }
}
