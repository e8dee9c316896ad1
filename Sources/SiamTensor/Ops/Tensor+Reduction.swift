// Sum, mean and max over axes, and broadcasting to a larger shape.

extension Tensor {
  /// Normalises possibly negative axes and returns the shape with those axes set to 1.
  func keptShape(reducing axes: [Int]) -> (axes: Set<Int>, kept: [Int]) {
    let normalized = Set(
      axes.map { axis -> Int in
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "axis \(axis) out of range for shape \(shape)")
        return a
      })
    var kept = shape
    for axis in normalized { kept[axis] = 1 }
    return (normalized, kept)
  }

  func squeezedShape(_ kept: [Int], axes: Set<Int>) -> [Int] {
    kept.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
  }

  /// Sum of all elements. Shape: any → `[]`.
  public func sum() -> Tensor {
    sum(alongAxes: Array(0..<rank))
  }

  /// Sum over `axes` (negative axes count from the end).
  ///
  /// Shape: removes `axes`, or keeps them with extent 1 when `keepingDimensions`.
  public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let (set, kept) = keptShape(reducing: axes)
    let reduced = detached().summed(toShape: kept)
    let result = keepingDimensions ? reduced : reduced.viewing(shape: squeezedShape(kept, axes: set))
    let inputShape = shape
    return result.recorded(inputs: [self]) { g in
      [g.viewing(shape: kept).broadcastedValue(to: inputShape)]
    }
  }

  /// Sum over one axis.
  public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
    sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
  }

  /// Mean of all elements. Shape: any → `[]`.
  public func mean() -> Tensor {
    sum() / Float(count)
  }

  /// Mean over `axes`.
  public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let (set, _) = keptShape(reducing: axes)
    let n = set.reduce(1) { $0 * shape[$1] }
    return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(n)
  }

  /// Mean over one axis.
  public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
    mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
  }

  /// Maximum over `axes`; the gradient is shared equally among tied maxima.
  public func max(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
    let (set, kept) = keptShape(reducing: axes)
    let input = detached()
    let reduced = input.maxed(toShape: kept)
    let result = keepingDimensions ? reduced : reduced.viewing(shape: squeezedShape(kept, axes: set))
    return result.recorded(inputs: [self]) { g in
      let mask = input.combined(with: reduced, EqualMaskKernel.self)
      let ties = mask.summed(toShape: kept)
      let share = g.viewing(shape: kept).combined(with: ties, DivideKernel.self)
      return [mask.combined(with: share, MultiplyKernel.self)]
    }
  }

  /// Maximum over one axis.
  public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
    max(alongAxes: [axis], keepingDimensions: keepingDimensions)
  }

  /// The values repeated along stretched axes. Shape: `self.shape` broadcast to `target`.
  public func broadcasted(to target: [Int]) -> Tensor {
    let sourceShape = shape
    return detached().broadcastedValue(to: target).recorded(inputs: [self]) { g in
      [g.summed(toShape: sourceShape)]
    }
  }

  /// Untracked broadcast.
  func broadcastedValue(to target: [Int]) -> Tensor {
    if shape == target { return self }
    precondition(Broadcast.shape(shape, target) == target, "cannot broadcast \(shape) to \(target)")
    return Tensor(zeros: target).combined(with: self, AddKernel.self)
  }

  /// Maximum over the axes where `target` has extent 1 (untracked).
  func maxed(toShape target: [Int]) -> Tensor {
    precondition(target.count == rank, "maxed(toShape:) needs the same rank")
    let result = Tensor(repeating: -.infinity, shape: target)
    let strides = Broadcast.strides(of: target, in: shape)
    let src = storage.base
    let dst = result.storage.base
    let inner = shape.last ?? 1
    let innerStride = strides.last ?? 0
    let outerCount = count / Swift.max(inner, 1)
    var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
    var base = 0
    for outer in 0..<outerCount {
      let row = src + outer * inner
      if innerStride == 0 {
        var m = dst[base]
        for j in 0..<inner where row[j] > m || row[j].isNaN { m = row[j] }
        dst[base] = m
      } else {
        let out = dst + base
        for j in 0..<inner where row[j] > out[j] || row[j].isNaN { out[j] = row[j] }
      }
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        base += strides[axis]
        if index[axis] < shape[axis] { break }
        base -= strides[axis] * shape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    withExtendedLifetime(self) {}
    return result
  }
}
