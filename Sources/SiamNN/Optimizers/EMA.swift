import Foundation
import SiamTensor

/// Exponential moving averages of a network's weights, for momentum (target) encoders in
/// BYOL, MoCo and DINO.
public enum EMA {
  /// `target ← m·target + (1 − m)·online` for every parameter; buffers (BatchNorm running
  /// statistics) are copied from `online` when `copiesBuffers` (the default).
  ///
  /// solo-learn's `MomentumUpdater` averages parameters only and leaves the target's
  /// buffers to its own forward passes; pass `copiesBuffers: false` for that behaviour.
  ///
  /// - Precondition: both modules have the same keys and shapes (same architecture).
  public static func update(target: Module, online: Module, momentum m: Float, copiesBuffers: Bool = true) {
    let source = online.namedTensors()
    var index = 0
    target.walkTensors { key, kind, tensor in
      precondition(
        index < source.count && source[index].key == key,
        "EMA: target key '\(key)' does not match online key '\(index < source.count ? source[index].key : "<none>")'")
      let value = source[index].tensor
      index += 1
      precondition(value.shape == tensor.shape, "EMA: '\(key)' shapes \(tensor.shape) vs \(value.shape)")
      switch kind {
      case .parameter:
        tensor.withUnsafeMutableBufferPointer { t in
          value.withUnsafeBufferPointer { o in
            for i in t.indices { t[i] = m * t[i] + (1 - m) * o[i] }
          }
        }
      case .buffer:
        if copiesBuffers { tensor = value }
      }
    }
    precondition(index == source.count, "EMA: online has \(source.count) tensors, target \(index)")
  }

  /// BYOL's momentum schedule, `m_k = 1 − (1 − m_base)·(cos(πk/K) + 1)/2`: `m_base` at
  /// step 0, rising to 1 at step `K` (`totalSteps`).
  public static func cosineMomentum(base: Float, step k: Int, totalSteps: Int) -> Float {
    precondition(totalSteps > 0 && k >= 0, "cosineMomentum: step \(k) of \(totalSteps)")
    let progress = Double(Swift.min(k, totalSteps)) / Double(totalSteps)
    return Float(1 - (1 - Double(base)) * (cos(Double.pi * progress) + 1) / 2)
  }
}
