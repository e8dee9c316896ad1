import SiamTensor

/// Standardises each channel: `x ← (x − mean[c]) / std[c]` (torchvision's `Normalize`).
///
/// Usually the last op of a chain (after the colour ops, which expect `[0, 1]`). One
/// value broadcasts to every channel. Draws nothing. Shapes: `C, H, W` → `C, H, W`.
public struct Normalize: AugmentationOp, Equatable {
  public var mean: [Float]
  public var std: [Float]

  /// - Parameters:
  ///   - mean: One value per channel, or one for all.
  ///   - std: One positive value per channel, or one for all.
  public init(mean: [Float], std: [Float]) {
    precondition(!mean.isEmpty && !std.isEmpty, "Normalize needs mean and std values")
    precondition(std.allSatisfy { $0 > 0 }, "Normalize std must be positive, got \(std)")
    self.mean = mean
    self.std = std
  }

  public func apply(_ image: Image, key: RandomKey) -> Image {
    for values in [mean, std] {
      precondition(
        values.count == 1 || values.count == image.channels,
        "Normalize has \(values.count) values for \(image.channels) channels")
    }
    var output = image
    let plane = image.height * image.width
    output.pixels.withUnsafeMutableBufferPointer { buffer in
      for c in 0..<image.channels {
        let shift = mean[mean.count == 1 ? 0 : c]
        let scale = std[std.count == 1 ? 0 : c]
        let base = buffer.baseAddress! + c &* plane
        for i in 0..<plane { base[i] = (base[i] - shift) / scale }
      }
    }
    return output
  }
}
