/// Turns `ParameterShape`s into JSON Schema (2020-12) fragments, collecting named shapes
/// under `$defs`.
///
/// The fragments use a small vocabulary on purpose (`type`, `enum`, `const`, `properties`,
/// `required`, `additionalProperties`, `propertyNames`, `items`, `minItems`, `maxItems`,
/// `minProperties`, `maxProperties`, `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `minLength`, `pattern`, `oneOf`, `anyOf`, `$ref`), which editors
/// understand and which the tests' validator implements. Checks across fields (`low ≤ high`
/// of a range, `momentum ≤ final_momentum`) are the decoder's alone.
struct SchemaBuilder {
  private(set) var definitions: [String: CanonicalJSON] = [:]

  mutating func schema(_ shape: ParameterShape) -> CanonicalJSON {
    switch shape {
    case .integer(let bounds): return Self.numeric("integer", bounds)
    case .number(let bounds): return Self.numeric("number", bounds)
    case .boolean: return ["type": "boolean"]
    case .string(let nonEmpty): return nonEmpty ? ["type": "string", "minLength": 1] : ["type": "string"]
    case .enumeration(let names): return ["type": "string", "enum": .array(names.map(CanonicalJSON.string))]
    case .list(let item, let minCount, let maxCount):
      var members: [String: CanonicalJSON] = ["type": "array", "items": schema(item)]
      if minCount > 0 { members["minItems"] = .number(minCount) }
      if let maxCount { members["maxItems"] = .number(maxCount) }
      return .object(members)
    case .range(let bounds):
      return [
        "type": "array", "items": Self.numeric("number", bounds), "minItems": 2, "maxItems": 2,
        "description": "[low, high] with low ≤ high.",
      ]
    case .object(let object):
      return objectSchema(object)
    case .union(let union):
      return unionSchema(union)
    case .singleKey(let variants):
      let bare = variants.filter {
        $0.object.fields.allSatisfy { if case .required = $0.requirement { false } else { true } }
      }
      var properties: [String: CanonicalJSON] = [:]
      for variant in variants {
        let body = objectSchema(variant.object, documentation: variant.documentation)
        properties[variant.name] =
          bare.contains { $0.name == variant.name } ? ["anyOf": [["type": "null"], body]] : body
      }
      return [
        "anyOf": [
          ["type": "string", "enum": .array(bare.map { .string($0.name) })],
          [
            "type": "object", "minProperties": 1, "maxProperties": 1, "properties": .object(properties),
            "additionalProperties": false,
          ],
        ]
      ]
    case .alternatives(let shapes):
      return ["anyOf": .array(shapes.map { schema($0) })]
    case .reference(let kind):
      return [
        "type": "string",
        "description": .string("The name of \(kind == .encoder ? "an" : "an") \(kind.noun) under '\(kind.section)'."),
      ]
    case .nullable(let inner):
      return ["anyOf": [["type": "null"], schema(inner)]]
    case .named(let name, let inner):
      if definitions[name] == nil {
        definitions[name] = ["type": "null"]  // placeholder against recursion
        definitions[name] = schema(inner)
      }
      return ["$ref": .string("#/$defs/\(name)")]
    }
  }

  /// An object with exactly these fields (plus `extra`), the required ones required.
  mutating func objectSchema(
    _ object: ParameterShape.ObjectShape, extra: [String: CanonicalJSON] = [:], requiredExtra: [String] = [],
    documentation: String? = nil
  ) -> CanonicalJSON {
    var properties = extra
    var required = requiredExtra
    for field in object.fields {
      var property = schema(field.shape).objectValue ?? [:]
      if !field.documentation.isEmpty { property["description"] = .string(field.documentation) }
      switch field.requirement {
      case .required: required.append(field.name)
      case .defaultValue(let value): property["default"] = value
      case .optional: property["default"] = .null
      case .implied: break
      }
      properties[field.name] = .object(property)
    }
    var members: [String: CanonicalJSON] = [
      "type": "object", "properties": .object(properties), "additionalProperties": false,
    ]
    if !required.isEmpty { members["required"] = .array(required.map(CanonicalJSON.string)) }
    if let documentation { members["description"] = .string(documentation) }
    return .object(members)
  }

  /// One branch per variant, each naming its variant in the discriminator.
  mutating func unionSchema(
    _ union: ParameterShape.UnionShape, extra: [String: CanonicalJSON] = [:], requiredExtra: [String] = []
  ) -> CanonicalJSON {
    var branches: [CanonicalJSON] = []
    for variant in union.variants {
      var properties = extra
      properties[union.discriminator] = ["const": .string(variant.name)]
      let isDefault = variant.name == union.defaultVariant
      branches.append(
        objectSchema(
          variant.object, extra: properties,
          requiredExtra: requiredExtra + (isDefault ? [] : [union.discriminator]),
          documentation: variant.documentation))
    }
    var discriminator: CanonicalJSON = ["type": "string", "enum": .array(union.variants.map { .string($0.name) })]
    if let fallback = union.defaultVariant {
      discriminator = ["type": "string", "enum": discriminator["enum"]!, "default": .string(fallback)]
    }
    var members: [String: CanonicalJSON] = [
      "type": "object", "properties": .object([union.discriminator: discriminator]), "oneOf": .array(branches),
    ]
    if union.defaultVariant == nil { members["required"] = [.string(union.discriminator)] }
    return .object(members)
  }

  private static func numeric(_ type: String, _ b: ParameterShape.Bounds) -> CanonicalJSON {
    var members: [String: CanonicalJSON] = ["type": .string(type)]
    if let x = b.minimum { members["minimum"] = .number(x) }
    if let x = b.exclusiveMinimum { members["exclusiveMinimum"] = .number(x) }
    if let x = b.maximum { members["maximum"] = .number(x) }
    if let x = b.exclusiveMaximum { members["exclusiveMaximum"] = .number(x) }
    return .object(members)
  }
}
