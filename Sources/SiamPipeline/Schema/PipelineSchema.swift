/// The JSON Schema (2020-12) of pipeline files, generated from the stage-kind registry and
/// the shapes the decoder uses, so that it cannot drift from the decoder.
///
/// `schemas/pipeline.schema.json` is `json()` (a test checks it); `siam schema` prints it.
/// Editors pick it up from a modeline comment:
/// `# yaml-language-server: $schema=../schemas/pipeline.schema.json`.
public enum PipelineSchema {
  /// The schema, pretty-printed with sorted keys and a final newline.
  public static func json(registry: StageKindRegistry = .standard) -> String {
    document(registry: registry).prettyPrinted()
  }

  /// The schema as a JSON value.
  public static func document(registry: StageKindRegistry = .standard) -> CanonicalJSON {
    var builder = SchemaBuilder()
    let chain = builder.schema(AugmentationChainSpec.shape)
    let encoder = builder.schema(EncoderSpec.definitionShape)
    var executor = builder.objectSchema(ExecutorSpec.shape)
    if case .object(var members) = executor {
      members["type"] = ["object", "null"]
      members["description"] = "Where the points of a sweep run (siam sweep); never part of a fingerprint."
      executor = .object(members)
    }
    var branches: [CanonicalJSON] = []
    for name in registry.names {
      let kind = registry[name]!
      let extra: [String: CanonicalJSON] = [
        "kind": ["const": .string(name), "description": .string(kind.documentation)],
        "needs": [
          "type": "array", "items": ["type": "string"], "description": "Names of the stages this one takes as input.",
        ],
      ]
      switch kind.shape {
      case .object(let object): branches.append(builder.objectSchema(object, extra: extra, requiredExtra: ["kind"]))
      case .union(let union): branches.append(builder.unionSchema(union, extra: extra, requiredExtra: ["kind"]))
      default: preconditionFailure("stage kind '\(name)' must have an object or union shape")
      }
    }
    let stage: CanonicalJSON = [
      "type": "object", "required": ["kind"],
      "properties": ["kind": ["type": "string", "enum": .array(registry.names.map(CanonicalJSON.string))]],
      "oneOf": .array(branches),
    ]
    var definitions = builder.definitions
    definitions["stage"] = stage
    definitions["sweep"] = sweep
    let names: CanonicalJSON = ["pattern": .string(PipelineDecoder.namePattern)]
    return [
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "Siam pipeline",
      "description":
        "An experiment pipeline for Siam: data, augmentation chains, encoders, stages and an optional sweep.",
      "type": "object",
      "required": ["name", "stages"],
      "additionalProperties": false,
      "patternProperties": ["^x-": ["description": "Ignored; a place for anchors to merge with <<."]],
      "properties": [
        "name": [
          "type": "string", "pattern": .string(PipelineDecoder.pipelineNamePattern),
          "description": "The pipeline's name.",
        ],
        "description": ["type": ["string", "null"], "description": "Free text."],
        "seed": ["type": "integer", "minimum": 0, "default": 0, "description": "Root seed of every random draw."],
        "include": [
          "anyOf": [
            ["type": "string", "minLength": 1], ["type": "array", "items": ["type": "string", "minLength": 1]],
          ],
          "description": "Files merged under this one, relative to it; later files and this file's keys win.",
        ],
        "augmentations": [
          "type": ["object", "null"], "propertyNames": names, "additionalProperties": chain,
          "description": "Named augmentation chains: lists of ops, or presets.",
        ],
        "encoders": [
          "type": ["object", "null"], "propertyNames": names, "additionalProperties": encoder,
          "description": "Named encoders.",
        ],
        "stages": [
          "type": "object", "minProperties": 1, "propertyNames": names,
          "additionalProperties": ["$ref": "#/$defs/stage"], "description": "The stages, by name.",
        ],
        "sweep": ["$ref": "#/$defs/sweep"],
        "executor": executor,
      ],
      "$defs": .object(definitions),
    ]
  }

  private static let pair: CanonicalJSON = ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]

  private static let sweep: CanonicalJSON = [
    "type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false,
    "description": "Runs over several values of some key paths: exactly one of grid, zip, random.",
    "properties": [
      "grid": [
        "type": "object", "minProperties": 1, "additionalProperties": ["type": "array", "minItems": 1],
        "description": "Key path → values; every combination.",
      ],
      "zip": [
        "type": "object", "minProperties": 1, "additionalProperties": ["type": "array", "minItems": 1],
        "description": "Key path → values, lists of one length taken together.",
      ],
      "random": [
        "type": "object", "required": ["samples", "parameters"], "additionalProperties": false,
        "properties": [
          "samples": ["type": "integer", "minimum": 1],
          "seed": ["type": "integer", "minimum": 0, "default": 0],
          "parameters": [
            "type": "object", "minProperties": 1,
            "additionalProperties": [
              "type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": false,
              "properties": [
                "uniform": pair,
                "log_uniform": [
                  "type": "array", "items": ["type": "number", "exclusiveMinimum": 0], "minItems": 2, "maxItems": 2,
                ],
                "int_uniform": ["type": "array", "items": ["type": "integer"], "minItems": 2, "maxItems": 2],
                "choice": ["type": "array", "minItems": 1],
              ],
            ],
          ],
        ],
      ],
    ],
  ]
}
