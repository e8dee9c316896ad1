/// One array of a NumPy `.npy` file: its shape and its values in C (row-major) order.
///
/// Readable dtypes: `|u1`, `<f4`, `<f8`, `<i4`, `<i8` (little-endian or byte-order-free).
/// The reader is `NPYArray.read(_:)`/`parse(_:path:)`, the writer `encoded()`/`write(to:)`,
/// see `NPYArray+Format.swift`.
public struct NPYArray: Sendable, Equatable {
  /// The values, typed as in the file.
  public enum Values: Sendable, Equatable {
    case uint8([UInt8])
    case int32([Int32])
    case int64([Int64])
    case float32([Float])
    case float64([Double])

    /// Number of elements.
    public var count: Int {
      switch self {
      case .uint8(let v): v.count
      case .int32(let v): v.count
      case .int64(let v): v.count
      case .float32(let v): v.count
      case .float64(let v): v.count
      }
    }

    /// The NumPy `descr` of this element type (`|u1`, `<f4`, ...).
    public var descr: String {
      switch self {
      case .uint8: "|u1"
      case .int32: "<i4"
      case .int64: "<i8"
      case .float32: "<f4"
      case .float64: "<f8"
      }
    }

    /// Bytes per element.
    public var itemSize: Int {
      switch self {
      case .uint8: 1
      case .int32: 4
      case .int64, .float64: 8
      case .float32: 4
      }
    }

    /// The values as `Int`s when they are integers (nil for floats).
    public var integers: [Int]? {
      switch self {
      case .uint8(let v): v.map { Int($0) }
      case .int32(let v): v.map { Int($0) }
      case .int64(let v): v.map { Int($0) }
      case .float32, .float64: nil
      }
    }

    /// The values as `Float`s (`Double`s rounded, integers converted).
    public var floats: [Float] {
      switch self {
      case .uint8(let v): v.map { Float($0) }
      case .int32(let v): v.map { Float($0) }
      case .int64(let v): v.map { Float($0) }
      case .float32(let v): v
      case .float64(let v): v.map { Float($0) }
      }
    }
  }

  /// The extents, outermost first (`[]` for a scalar).
  public var shape: [Int]
  public var values: Values

  /// An array of `shape` holding `values` in C order.
  public init(shape: [Int], values: Values) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative extent in shape \(shape)")
    precondition(
      shape.reduce(1, *) == values.count,
      "shape \(shape) needs \(shape.reduce(1, *)) values, got \(values.count)")
    self.shape = shape
    self.values = values
  }

  /// Number of elements.
  public var count: Int { values.count }
}
