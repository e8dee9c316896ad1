import Foundation

@testable import SiamPipeline

/// A validator for the subset of JSON Schema 2020-12 that `PipelineSchema` emits: `$ref`
/// (to `#/$defs/…`), `type` (a name or a list), `enum`, `const`, `properties`,
/// `patternProperties`, `required`, `additionalProperties`, `propertyNames.pattern`,
/// `min/maxProperties`, `items`, `min/maxItems`, `minimum`, `maximum`,
/// `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `pattern`, `oneOf`, `anyOf`.
/// Unknown keywords (`description`, `default`, `title`, `$schema`) are ignored. Integers
/// are numbers without a fraction, as in 2020-12.
struct JSONSchemaValidator {
  let root: CanonicalJSON

  /// Paths (`/stages/pretrain/epochs`) of the first failure of each failing branch; empty
  /// when `instance` is valid.
  func errors(_ instance: CanonicalJSON) -> [String] {
    var out: [String] = []
    validate(instance, root, path: "", into: &out)
    return out
  }

  private func resolve(_ schema: CanonicalJSON) -> CanonicalJSON {
    guard let ref = schema["$ref"]?.stringValue else { return schema }
    precondition(ref.hasPrefix("#/$defs/"), "unsupported $ref \(ref)")
    return root["$defs"]![String(ref.dropFirst(8))]!
  }

  private func typeMatches(_ instance: CanonicalJSON, _ type: String) -> Bool {
    switch (type, instance) {
    case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
      ("number", .number):
      return true
    case ("integer", .number(let x)): return x.rounded() == x
    default: return false
    }
  }

  private func validate(_ instance: CanonicalJSON, _ rawSchema: CanonicalJSON, path: String, into out: inout [String]) {
    let schema = resolve(rawSchema)
    if case .bool(let allowed) = schema {
      if !allowed { out.append("\(path): false schema") }
      return
    }
    func fail(_ why: String) { out.append("\(path): \(why)") }
    if let type = schema["type"] {
      let names = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue!]
      if !names.contains(where: { typeMatches(instance, $0) }) { return fail("type \(names)") }
    }
    if let values = schema["enum"]?.arrayValue, !values.contains(instance) { fail("enum") }
    if let value = schema["const"], value != instance { fail("const") }
    if case .number(let x) = instance {
      if let m = schema["minimum"]?.doubleValue, x < m { fail("minimum") }
      if let m = schema["maximum"]?.doubleValue, x > m { fail("maximum") }
      if let m = schema["exclusiveMinimum"]?.doubleValue, x <= m { fail("exclusiveMinimum") }
      if let m = schema["exclusiveMaximum"]?.doubleValue, x >= m { fail("exclusiveMaximum") }
    }
    if case .string(let s) = instance {
      if let m = schema["minLength"]?.intValue, s.count < m { fail("minLength") }
      if let p = schema["pattern"]?.stringValue, !matches(s, p) { fail("pattern") }
    }
    if case .array(let items) = instance {
      if let m = schema["minItems"]?.intValue, items.count < m { fail("minItems") }
      if let m = schema["maxItems"]?.intValue, items.count > m { fail("maxItems") }
      if let itemSchema = schema["items"] {
        for (i, item) in items.enumerated() { validate(item, itemSchema, path: "\(path)/\(i)", into: &out) }
      }
    }
    if case .object(let members) = instance {
      if let m = schema["minProperties"]?.intValue, members.count < m { fail("minProperties") }
      if let m = schema["maxProperties"]?.intValue, members.count > m { fail("maxProperties") }
      for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where members[key] == nil {
        fail("required \(key)")
      }
      let properties = schema["properties"]?.objectValue ?? [:]
      let patterns = schema["patternProperties"]?.objectValue ?? [:]
      for (key, value) in members.sorted(by: { $0.key < $1.key }) {
        if let p = schema["propertyNames"]?["pattern"]?.stringValue, !matches(key, p) { fail("propertyNames \(key)") }
        var isKnown = false
        if let sub = properties[key] {
          isKnown = true
          validate(value, sub, path: "\(path)/\(key)", into: &out)
        }
        for (pattern, sub) in patterns where matches(key, pattern) {
          isKnown = true
          validate(value, sub, path: "\(path)/\(key)", into: &out)
        }
        if !isKnown, let additional = schema["additionalProperties"] {
          validate(value, additional, path: "\(path)/\(key)", into: &out)
        }
      }
    }
    if let branches = schema["anyOf"]?.arrayValue {
      let failures = branches.map { branch -> [String] in
        var e: [String] = []
        validate(instance, branch, path: path, into: &e)
        return e
      }
      if !failures.contains(where: \.isEmpty) { fail("anyOf: \(failures.map { $0.first ?? "" })") }
    }
    if let branches = schema["oneOf"]?.arrayValue {
      let failures = branches.map { branch -> [String] in
        var e: [String] = []
        validate(instance, branch, path: path, into: &e)
        return e
      }
      let passing = failures.filter(\.isEmpty).count
      if passing != 1 { fail("oneOf matched \(passing): \(failures.compactMap(\.first))") }
    }
  }

  private func matches(_ s: String, _ pattern: String) -> Bool {
    s.range(of: pattern, options: .regularExpression) != nil
  }
}
