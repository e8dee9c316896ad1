// Differentiable elementwise arithmetic with broadcasting. Each primitive is followed by
// its pullback; gradients of broadcast inputs are reduced by `summed(toShape:)`.

extension Tensor {
  /// Elementwise sum with broadcasting. Shapes: any two broadcast-compatible shapes.
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    a.combined(with: b, AddKernel.self).recorded(inputs: [a, b]) { g in
      [g.summed(toShape: a.shape), g.summed(toShape: b.shape)]
    }
  }

  /// Elementwise difference with broadcasting.
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    a.combined(with: b, SubtractKernel.self).recorded(inputs: [a, b]) { g in
      [g.summed(toShape: a.shape), g.summed(toShape: b.shape).mapped(ScaleKernel.self, -1)]
    }
  }

  /// Elementwise product with broadcasting.
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    let (x, y) = (a.detached(), b.detached())
    return x.combined(with: y, MultiplyKernel.self).recorded(inputs: [a, b]) { g in
      [
        a.isTrackedInput ? g.combined(with: y, MultiplyKernel.self).summed(toShape: a.shape) : nil,
        b.isTrackedInput ? g.combined(with: x, MultiplyKernel.self).summed(toShape: b.shape) : nil,
      ]
    }
  }

  /// Elementwise quotient with broadcasting.
  public static func / (a: Tensor, b: Tensor) -> Tensor {
    let (x, y) = (a.detached(), b.detached())
    let quotient = x.combined(with: y, DivideKernel.self)
    return quotient.recorded(inputs: [a, b]) { g in
      let ga = g.combined(with: y, DivideKernel.self)
      // d(a/b)/db = -(a/b)/b
      let gb = ga.combined(with: quotient, MultiplyKernel.self).mapped(ScaleKernel.self, -1)
      return [ga.summed(toShape: a.shape), gb.summed(toShape: b.shape)]
    }
  }

  /// `self · scale + shift`, elementwise.
  public func affine(scale: Float, shift: Float) -> Tensor {
    var y = mapped(ScaleKernel.self, scale)
    if shift != 0 { y = y.mapped(ShiftKernel.self, shift) }
    return y.recorded(inputs: [self]) { g in [g.mapped(ScaleKernel.self, scale)] }
  }

  public static prefix func - (x: Tensor) -> Tensor { x.affine(scale: -1, shift: 0) }
  public static func + (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: s) }
  public static func + (s: Float, x: Tensor) -> Tensor { x.affine(scale: 1, shift: s) }
  public static func - (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1, shift: -s) }
  public static func - (s: Float, x: Tensor) -> Tensor { x.affine(scale: -1, shift: s) }
  public static func * (x: Tensor, s: Float) -> Tensor { x.affine(scale: s, shift: 0) }
  public static func * (s: Float, x: Tensor) -> Tensor { x.affine(scale: s, shift: 0) }
  public static func / (x: Tensor, s: Float) -> Tensor { x.affine(scale: 1 / s, shift: 0) }

  /// Whether this input is on a live tape (pullbacks skip gradients nobody needs).
  var isTrackedInput: Bool { tracker?.tape != nil }
}

// MARK: - Unary functions

/// `eˣ`, elementwise.
public func exp(_ x: Tensor) -> Tensor {
  let y = x.mapped(ExpKernel.self)
  return y.recorded(inputs: [x]) { g in [g.combined(with: y, MultiplyKernel.self)] }
}

/// Natural logarithm, elementwise.
public func log(_ x: Tensor) -> Tensor {
  let input = x.detached()
  return input.mapped(LogKernel.self).recorded(inputs: [x]) { g in
    [g.combined(with: input, DivideKernel.self)]
  }
}

/// Square root, elementwise.
public func sqrt(_ x: Tensor) -> Tensor {
  let y = x.mapped(SqrtKernel.self)
  return y.recorded(inputs: [x]) { g in
    [g.combined(with: y, DivideKernel.self).mapped(ScaleKernel.self, 0.5)]
  }
}

/// `xᵖ` for a constant exponent, elementwise.
public func pow(_ x: Tensor, _ exponent: Float) -> Tensor {
  let input = x.detached()
  return input.mapped(PowKernel.self, exponent).recorded(inputs: [x]) { g in
    [
      g.combined(
        with: input.mapped(PowKernel.self, exponent - 1).mapped(ScaleKernel.self, exponent), MultiplyKernel.self)
    ]
  }
}

/// `|x|`, elementwise (gradient 0 at 0).
public func abs(_ x: Tensor) -> Tensor {
  let input = x.detached()
  return input.mapped(AbsKernel.self).recorded(inputs: [x]) { g in
    [g.combined(with: input, AbsGradientKernel.self)]
  }
}

/// `max(x, 0)`, elementwise (gradient 0 at 0).
public func relu(_ x: Tensor) -> Tensor {
  let y = x.mapped(ReluKernel.self)
  return y.recorded(inputs: [x]) { g in [g.combined(with: y, ReluGradientKernel.self)] }
}

/// Elementwise maximum of two broadcast-compatible tensors (ties send the gradient to `a`).
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
  let (x, y) = (a.detached(), b.detached())
  let result = x.combined(with: y, MaximumKernel.self)
  return result.recorded(inputs: [a, b]) { g in
    let maskA = x.combined(with: result, EqualMaskKernel.self)
    let ga = g.combined(with: maskA, MultiplyKernel.self)
    let gb = g.combined(with: ga, SubtractKernel.self)
    return [ga.summed(toShape: a.shape), gb.summed(toShape: b.shape)]
  }
}

extension Tensor {
  /// `max(self, minimum)`, elementwise; the gradient passes where `self ≥ minimum`.
  public func clamped(min minimum: Float) -> Tensor {
    let input = detached()
    return input.mapped(ClampMinKernel.self, minimum).recorded(inputs: [self]) { g in
      [g.combined(with: input.mapped(AtLeastMaskKernel.self, minimum), MultiplyKernel.self)]
    }
  }

  /// The elementwise square.
  public func squared() -> Tensor { self * self }
}
