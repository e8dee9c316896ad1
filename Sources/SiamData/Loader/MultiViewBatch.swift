import SiamTensor

/// One batch of a `MultiViewLoader`: every view of the same samples.
public struct MultiViewBatch: Sendable {
  /// One tensor per view, `[N, C, H_v, W_v]`; views may differ in size (multi-crop).
  public var views: [Tensor]
  /// The samples' labels, `N` values.
  public var labels: [Int]
  /// The samples' indices in the dataset, `N` values, in batch order.
  public var indices: [Int]
  /// The epoch this batch belongs to.
  public var epoch: Int
  /// The batch's position in its epoch.
  public var index: Int

  /// Number of samples `N`.
  public var count: Int { indices.count }
}
