import Foundation

/// A binary scalar function, specialised into the broadcasting loop (no closure calls).
public protocol BinaryKernel {
  static func apply(_ a: Float, _ b: Float) -> Float
}

/// A unary scalar function with a runtime parameter, specialised into the map loop.
public protocol UnaryKernel {
  static func apply(_ x: Float, _ parameter: Float) -> Float
}

enum AddKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum SubtractKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum MultiplyKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum DivideKernel: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum MaximumKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a >= b ? a : b }
}
enum EqualMaskKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
}
/// `g` where `y > 0` else 0: the pullback of relu given its output.
enum ReluGradientKernel: BinaryKernel {
  @inline(__always) static func apply(_ g: Float, _ y: Float) -> Float { y > 0 ? g : 0 }
}
/// `g · sign(x)`: the pullback of abs.
enum AbsGradientKernel: BinaryKernel {
  @inline(__always) static func apply(_ g: Float, _ x: Float) -> Float { x > 0 ? g : (x < 0 ? -g : 0) }
}

enum ExpKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { expf(x) } }
enum LogKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { logf(x) } }
enum SqrtKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x.squareRoot() } }
enum AbsKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { abs(x) } }
enum ReluKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x > 0 ? x : 0 } }
enum PowKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { powf(x, p) } }
enum ScaleKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x * p } }
enum ShiftKernel: UnaryKernel { @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x + p } }
enum ClampMinKernel: UnaryKernel {
  @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x >= p ? x : p }
}
/// 1 where `x ≥ p` else 0: the pullback mask of `clamped(min:)`.
enum AtLeastMaskKernel: UnaryKernel {
  @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { x >= p ? 1 : 0 }
}
enum ReciprocalScaleKernel: UnaryKernel {
  @inline(__always) static func apply(_ x: Float, _ p: Float) -> Float { p / x }
}

extension Tensor {
  /// `K.apply(self[i], parameter)` for every element (untracked; primitives wrap it).
  @inlinable
  public func mapped<K: UnaryKernel>(_ kernel: K.Type, _ parameter: Float = 0) -> Tensor {
    let result = Tensor(uninitializedShape: shape)
    let n = count
    let src = UncheckedSendable(storage.base)
    let dst = UncheckedSendable(result.storage.base)
    Parallel.forEach(n, costPerItem: 4, minimumWork: 1 << 18) { range in
      let s = src.value
      let d = dst.value
      for i in range { d[i] = K.apply(s[i], parameter) }
    }
    withExtendedLifetime(self) {}
    return result
  }

  /// `K.apply(self[i], other[i])` with broadcasting (untracked; primitives wrap it).
  @inlinable
  public func combined<K: BinaryKernel>(with other: Tensor, _ kernel: K.Type) -> Tensor {
    if shape == other.shape {
      let result = Tensor(uninitializedShape: shape)
      let a = UncheckedSendable(storage.base)
      let b = UncheckedSendable(other.storage.base)
      let d = UncheckedSendable(result.storage.base)
      Parallel.forEach(count, costPerItem: 2, minimumWork: 1 << 18) { range in
        let pa = a.value
        let pb = b.value
        let pd = d.value
        for i in range { pd[i] = K.apply(pa[i], pb[i]) }
      }
      withExtendedLifetime((self, other)) {}
      return result
    }
    return combinedBroadcasting(with: other, kernel)
  }

  @usableFromInline
  func combinedBroadcasting<K: BinaryKernel>(with other: Tensor, _ kernel: K.Type) -> Tensor {
    guard let outShape = Broadcast.shape(shape, other.shape) else {
      preconditionFailure("shapes \(shape) and \(other.shape) do not broadcast")
    }
    let result = Tensor(uninitializedShape: outShape)
    let aStrides = Broadcast.strides(of: shape, in: outShape)
    let bStrides = Broadcast.strides(of: other.shape, in: outShape)
    let rank = outShape.count
    let inner = outShape.last ?? 1
    let aInner = aStrides.last ?? 0
    let bInner = bStrides.last ?? 0
    let outerCount = result.count / Swift.max(inner, 1)
    let pa = storage.base
    let pb = other.storage.base
    let pd = result.storage.base
    var index = [Int](repeating: 0, count: Swift.max(rank - 1, 0))
    var aBase = 0
    var bBase = 0
    for outer in 0..<outerCount {
      let d = pd + outer * inner
      let x = pa + aBase
      let y = pb + bBase
      switch (aInner, bInner) {
      case (1, 1): for j in 0..<inner { d[j] = K.apply(x[j], y[j]) }
      case (1, 0):
        let v = y[0]
        for j in 0..<inner { d[j] = K.apply(x[j], v) }
      case (0, 1):
        let v = x[0]
        for j in 0..<inner { d[j] = K.apply(v, y[j]) }
      default:
        let u = x[0]
        let v = y[0]
        for j in 0..<inner { d[j] = K.apply(u, v) }
      }
      var axis = rank - 2
      while axis >= 0 {
        index[axis] += 1
        aBase += aStrides[axis]
        bBase += bStrides[axis]
        if index[axis] < outShape[axis] { break }
        aBase -= aStrides[axis] * outShape[axis]
        bBase -= bStrides[axis] * outShape[axis]
        index[axis] = 0
        axis -= 1
      }
    }
    withExtendedLifetime((self, other)) {}
    return result
  }

  /// Adds `other` (same shape) into `self`, in place when the storage is not shared.
  public mutating func addInPlace(_ other: Tensor) {
    precondition(shape == other.shape, "cannot add shape \(other.shape) into \(shape)")
    makeUnique()
    let d = UncheckedSendable(storage.base)
    let s = UncheckedSendable(other.storage.base)
    Parallel.forEach(count, costPerItem: 2, minimumWork: 1 << 18) { range in
      let pd = d.value
      let ps = s.value
      for i in range { pd[i] += ps[i] }
    }
    withExtendedLifetime(other) {}
  }
}
