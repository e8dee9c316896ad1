// Reshape, transpose, slicing and concatenation.

extension Tensor {
  /// The same elements with a new shape (one extent may be -1 and is inferred).
  public func reshaped(to newShape: [Int]) -> Tensor {
    var resolved = newShape
    if let inferred = newShape.firstIndex(of: -1) {
      let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
      precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
      resolved[inferred] = count / known
    }
    precondition(resolved.reduce(1, *) == count, "cannot reshape \(shape) (\(count) elements) to \(newShape)")
    let original = shape
    return viewing(shape: resolved).recorded(inputs: [self]) { g in [g.viewing(shape: original)] }
  }

  /// Flattens every axis after the first: `[N, ...] → [N, rest]`.
  public func flattened() -> Tensor {
    reshaped(to: [shape.first ?? 1, -1])
  }

  /// The axes reordered: axis `i` of the result is axis `permutation[i]` of `self`.
  public func transposed(permutation: [Int]) -> Tensor {
    precondition(permutation.sorted() == Array(0..<rank), "\(permutation) is not a permutation of the axes of \(shape)")
    var inverse = [Int](repeating: 0, count: rank)
    for (i, p) in permutation.enumerated() { inverse[p] = i }
    return detached().permutedValue(permutation).recorded(inputs: [self]) { g in
      [g.permutedValue(inverse)]
    }
  }

  /// The matrix transpose of a rank-2 tensor: `[M, N] → [N, M]`.
  public func transposed() -> Tensor {
    precondition(rank == 2, "transposed() needs a matrix, got shape \(shape)")
    return transposed(permutation: [1, 0])
  }

  func permutedValue(_ permutation: [Int]) -> Tensor {
    let outShape = permutation.map { shape[$0] }
    let result = Tensor(uninitializedShape: outShape)
    if permutation == Array(0..<rank) || count <= 1 {
      return viewing(shape: outShape)
    }
    var inStrides = [Int](repeating: 1, count: rank)
    for axis in stride(from: rank - 2, through: 0, by: -1) { inStrides[axis] = inStrides[axis + 1] * shape[axis + 1] }
    let strides = permutation.map { inStrides[$0] }
    let src = storage.base
    let dst = result.storage.base
    let inner = outShape[rank - 1]
    let innerStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: rank - 1)
    var base = 0
    for outer in 0..<(count / inner) {
      let out = dst + outer * inner
      for j in 0..<inner { out[j] = src[base + j * innerStride] }
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        base += strides[axis]
        if index[axis] < outShape[axis] { break }
        base -= strides[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    withExtendedLifetime(self) {}
    return result
  }

  /// The elements with indices `range` along `axis`. Shape: `axis` shrinks to `range.count`.
  public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
    let axis = axis < 0 ? axis + rank : axis
    precondition(axis >= 0 && axis < rank, "axis \(axis) out of range for shape \(shape)")
    precondition(
      range.lowerBound >= 0 && range.upperBound <= shape[axis], "slice \(range) out of range for extent \(shape[axis])")
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    var outShape = shape
    outShape[axis] = range.count
    let result = Tensor(uninitializedShape: outShape)
    let src = storage.base
    let dst = result.storage.base
    let rowIn = shape[axis] * inner
    let rowOut = range.count * inner
    for o in 0..<outer {
      (dst + o * rowOut).update(from: src + o * rowIn + range.lowerBound * inner, count: rowOut)
    }
    withExtendedLifetime(self) {}
    let inputShape = shape
    return result.recorded(inputs: [self]) { g in
      let full = Tensor(zeros: inputShape)
      let gs = g.storage.base
      let fs = full.storage.base
      for o in 0..<outer {
        (fs + o * rowIn + range.lowerBound * inner).update(from: gs + o * rowOut, count: rowOut)
      }
      withExtendedLifetime(g) {}
      return [full]
    }
  }

  /// The rows `range` of the first axis.
  public subscript(rows range: Range<Int>) -> Tensor {
    slice(alongAxis: 0, range)
  }
}

/// Joins tensors along `axis`; every other extent must agree.
public func concatenated(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
  precondition(!tensors.isEmpty, "nothing to concatenate")
  let first = tensors[0]
  let axis = axis < 0 ? axis + first.rank : axis
  precondition(axis >= 0 && axis < first.rank, "axis \(axis) out of range for shape \(first.shape)")
  for t in tensors {
    precondition(
      t.rank == first.rank
        && t.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] },
      "cannot concatenate shape \(t.shape) with \(first.shape) along axis \(axis)")
  }
  let outer = first.shape[..<axis].reduce(1, *)
  let inner = first.shape[(axis + 1)...].reduce(1, *)
  let extents = tensors.map { $0.shape[axis] }
  var outShape = first.shape
  outShape[axis] = extents.reduce(0, +)
  let result = Tensor(uninitializedShape: outShape)
  let rowOut = outShape[axis] * inner
  var offset = 0
  for t in tensors {
    let rowIn = t.shape[axis] * inner
    let src = t.storage.base
    let dst = result.storage.base
    for o in 0..<outer { (dst + o * rowOut + offset).update(from: src + o * rowIn, count: rowIn) }
    offset += rowIn
    withExtendedLifetime(t) {}
  }
  return result.recorded(inputs: tensors) { g in
    var start = 0
    return extents.map { extent in
      defer { start += extent }
      return g.detached().slice(alongAxis: axis, start..<(start + extent))
    }
  }
}
