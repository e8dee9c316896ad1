/// What a value in a pipeline file may be, declared once: the decoder checks nodes against
/// it and fills in defaults, and the JSON Schema is generated from it, so the two agree.
public indirect enum ParameterShape: Sendable {
  /// A whole number (a float with no fraction is accepted, as JSON Schema does).
  case integer(Bounds = .none)
  /// A finite number.
  case number(Bounds = .none)
  case boolean
  /// A string; `nonEmpty` rejects `""`.
  case string(nonEmpty: Bool = true)
  /// One of these strings.
  case enumeration([String])
  /// A list of values of one shape.
  case list(ParameterShape, minCount: Int = 0, maxCount: Int? = nil)
  /// Two numbers `[low, high]` with `low ≤ high`, both within the bounds.
  case range(Bounds)
  /// A mapping with known keys.
  case object(ObjectShape)
  /// A mapping whose variant is named by a discriminator key (`type: simclr`).
  case union(UnionShape)
  /// A one-key mapping `{name: {parameters}}` naming its variant by its key, or the bare
  /// name for a variant with all parameters defaulted (augmentation ops).
  case singleKey([Variant])
  /// The first alternative whose node kind (scalar, mapping, list) fits.
  case alternatives([ParameterShape])
  /// The name of an augmentation chain or encoder defined in the file; it resolves to the
  /// referenced value.
  case reference(ReferenceKind)
  /// `null` or a value of the shape.
  case nullable(ParameterShape)
  /// A shape that the JSON Schema puts under `$defs` with this name.
  case named(String, ParameterShape)

  /// A reference to a named top-level definition.
  public enum ReferenceKind: String, Sendable, Hashable {
    case augmentation, encoder

    /// The top-level key that defines these names.
    public var section: String {
      switch self {
      case .augmentation: "augmentations"
      case .encoder: "encoders"
      }
    }

    var noun: String {
      switch self {
      case .augmentation: "augmentation chain"
      case .encoder: "encoder"
      }
    }
  }

  /// The largest integer a pipeline value may hold, 2^53: every integer up to it is exact
  /// as a double, and none is near `Int.max`.
  public static let largestExactInteger: Double = 9_007_199_254_740_992

  /// Inclusive or exclusive limits of a number.
  public struct Bounds: Sendable, Hashable {
    public var minimum: Double?
    public var exclusiveMinimum: Double?
    public var maximum: Double?
    public var exclusiveMaximum: Double?

    public init(
      minimum: Double? = nil, exclusiveMinimum: Double? = nil, maximum: Double? = nil,
      exclusiveMaximum: Double? = nil
    ) {
      self.minimum = minimum
      self.exclusiveMinimum = exclusiveMinimum
      self.maximum = maximum
      self.exclusiveMaximum = exclusiveMaximum
    }

    public static let none = Bounds()
    /// `> 0`.
    public static let positive = Bounds(exclusiveMinimum: 0)
    /// `≥ 0`.
    public static let nonNegative = Bounds(minimum: 0)
    /// `[0, 1]`.
    public static let unit = Bounds(minimum: 0, maximum: 1)
    /// `≥ value`.
    public static func atLeast(_ value: Double) -> Bounds { Bounds(minimum: value) }
    /// `[low, high]`.
    public static func within(_ low: Double, _ high: Double) -> Bounds { Bounds(minimum: low, maximum: high) }

    func contains(_ x: Double) -> Bool {
      if let m = minimum, x < m { return false }
      if let m = exclusiveMinimum, x <= m { return false }
      if let m = maximum, x > m { return false }
      if let m = exclusiveMaximum, x >= m { return false }
      return true
    }

    /// ` ≥ 1`, ` in [0, 1]`, ` in (0, 1]`, or `""`.
    var phrase: String {
      let low = minimum.map { ("[", $0) } ?? exclusiveMinimum.map { ("(", $0) }
      let high = maximum.map { ("]", $0) } ?? exclusiveMaximum.map { (")", $0) }
      switch (low, high) {
      case (let l?, let h?): return " in \(l.0)\(CanonicalJSON.format(l.1)), \(CanonicalJSON.format(h.1))\(h.0)"
      case (let l?, nil): return " \(l.0 == "[" ? "≥" : ">") \(CanonicalJSON.format(l.1))"
      case (nil, let h?): return " \(h.0 == "]" ? "≤" : "<") \(CanonicalJSON.format(h.1))"
      case (nil, nil): return ""
      }
    }
  }

  /// How a field behaves when its key is absent.
  public enum Requirement: Sendable {
    /// The key must be written.
    case required
    /// Absent resolves to `null`.
    case optional
    /// Absent resolves to this value.
    case defaultValue(CanonicalJSON)
    /// Absent resolves as if an empty mapping had been written (objects and unions with
    /// defaults for everything).
    case implied
  }

  /// One key of an object.
  public struct Field: Sendable {
    public var name: String
    public var shape: ParameterShape
    public var requirement: Requirement
    /// One sentence for the schema's `description`.
    public var documentation: String

    public init(_ name: String, _ shape: ParameterShape, _ requirement: Requirement, _ documentation: String) {
      self.name = name
      self.shape = shape
      self.requirement = requirement
      self.documentation = documentation
    }
  }

  /// A problem found by a cross-field check: the key it is about (or `nil` for the whole
  /// mapping) and the message.
  public struct Problem: Sendable {
    public var key: String?
    public var message: String

    public init(key: String?, _ message: String) {
      self.key = key
      self.message = message
    }
  }

  /// A mapping's fields and the checks that relate them.
  public struct ObjectShape: Sendable {
    public var fields: [Field]
    /// Checks across fields on the resolved values (defaults filled); run only when every
    /// field decoded.
    public var check: (@Sendable ([String: CanonicalJSON]) -> [Problem])?

    public init(_ fields: [Field], check: (@Sendable ([String: CanonicalJSON]) -> [Problem])? = nil) {
      self.fields = fields
      self.check = check
    }

    public var keys: [String] { fields.map(\.name) }
  }

  /// A named variant of a union.
  public struct Variant: Sendable {
    public var name: String
    public var object: ObjectShape
    public var documentation: String

    public init(_ name: String, _ object: ObjectShape, _ documentation: String) {
      self.name = name
      self.object = object
      self.documentation = documentation
    }
  }

  /// Variants told apart by the value of `discriminator`.
  public struct UnionShape: Sendable {
    public var discriminator: String
    public var variants: [Variant]
    /// The variant used when the discriminator is absent.
    public var defaultVariant: String?

    public init(discriminator: String = "type", _ variants: [Variant], defaultVariant: String? = nil) {
      self.discriminator = discriminator
      self.variants = variants
      self.defaultVariant = defaultVariant
    }
  }

  /// The shape behind `named` and `nullable` wrappers' names, for messages.
  var expectedDescription: String {
    switch self {
    case .integer(let b): return "an integer\(b.phrase)"
    case .number(let b): return "a number\(b.phrase)"
    case .boolean: return "a boolean"
    case .string: return "a string"
    case .enumeration(let names): return "one of \(names.map { "'\($0)'" }.joined(separator: ", "))"
    case .list(let item, let minCount, let maxCount):
      let count = minCount == maxCount ? "\(minCount) " : (minCount > 0 ? "at least \(minCount) " : "")
      _ = maxCount
      return "a list of \(count)\(item.pluralDescription)"
    case .range(let b): return "a pair [low, high] of numbers\(b.phrase) with low ≤ high"
    case .object: return "a mapping"
    case .union(let u): return "a mapping with '\(u.discriminator)'"
    case .singleKey: return "an op name or a one-key mapping {op: {parameters}}"
    case .alternatives(let shapes): return shapes.map(\.expectedDescription).joined(separator: " or ")
    case .reference(let kind): return "the name of \(kind == .encoder ? "an" : "an") \(kind.noun)"
    case .nullable(let shape): return "\(shape.expectedDescription) or null"
    case .named(_, let shape): return shape.expectedDescription
    }
  }

  private var pluralDescription: String {
    switch self {
    case .integer(let b): return "integers\(b.phrase)"
    case .number(let b): return "numbers\(b.phrase)"
    case .string: return "strings"
    case .reference(let kind): return "\(kind.noun) names"
    case .named(_, let shape): return shape.pluralDescription
    default: return "items (each \(expectedDescription))"
    }
  }
}
