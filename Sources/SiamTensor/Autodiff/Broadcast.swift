/// NumPy broadcasting: shapes are aligned at their last axis; an axis of extent 1 (or a
/// missing leading axis) stretches to match the other.
public enum Broadcast {
  /// The broadcast shape of `a` and `b`, or `nil` when they are incompatible.
  public static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for axis in 0..<rank {
      let x = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
      let y = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
      if x == y || y == 1 {
        result[axis] = x
      } else if x == 1 {
        result[axis] = y
      } else {
        return nil
      }
    }
    return result
  }

  /// Row-major strides of `shape` as seen from the (larger) broadcast shape `target`:
  /// 0 on stretched axes.
  static func strides(of shape: [Int], in target: [Int]) -> [Int] {
    let offset = target.count - shape.count
    var result = [Int](repeating: 0, count: target.count)
    var step = 1
    for axis in (0..<shape.count).reversed() {
      result[axis + offset] = shape[axis] == 1 && target[axis + offset] != 1 ? 0 : step
      step *= shape[axis]
    }
    return result
  }
}

extension Tensor {
  /// Sums `self` over the axes along which `shape` was broadcast to `self.shape`.
  ///
  /// This is the one helper that every broadcasting pullback uses to bring a gradient
  /// back to its input's shape.
  ///
  /// - Precondition: `shape` broadcasts to `self.shape`.
  public func summed(toShape target: [Int]) -> Tensor {
    if target == shape { return self }
    let targetCount = target.reduce(1, *)
    precondition(Broadcast.shape(target, shape) == shape, "cannot reduce shape \(shape) to \(target)")
    if targetCount == count { return viewing(shape: target) }
    var result = Tensor(zeros: target)
    let strides = Broadcast.strides(of: target, in: shape)
    withUnsafeBufferPointer { source in
      result.withUnsafeMutableBufferPointer { destination in
        let src = source.baseAddress!
        let dst = destination.baseAddress!
        if targetCount == 1 {
          dst[0] = sumFloats(src, count)
          return
        }
        let inner = shape.last ?? 1
        let innerStride = strides.last ?? 0
        let outerCount = count / Swift.max(inner, 1)
        var index = [Int](repeating: 0, count: Swift.max(shape.count - 1, 0))
        var base = 0
        for outer in 0..<outerCount {
          let row = src + outer * inner
          if innerStride == 0 {
            dst[base] += sumFloats(row, inner)
          } else {
            let out = dst + base
            for j in 0..<inner { out[j] += row[j] }
          }
          // Advance the odometer over the outer axes.
          var axis = shape.count - 2
          while axis >= 0 {
            index[axis] += 1
            base += strides[axis]
            if index[axis] < shape[axis] { break }
            base -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
          }
        }
      }
    }
    return result
  }
}

/// Sum of `count` floats with eight independent accumulators (vectorises; fixed order).
@inlinable
func sumFloats(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
  var accumulator = SIMD8<Float>(repeating: 0)
  var i = 0
  while i &+ 8 <= count {
    accumulator += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
    i &+= 8
  }
  var total = accumulator.sum()
  while i < count {
    total += p[i]
    i &+= 1
  }
  return total
}
