#!/usr/bin/env python3
"""Cross-checks schemas/pipeline.schema.json with Python's jsonschema (a reference
implementation), independently of the Swift tests' subset validator.

    python3 schemas/check-with-jsonschema.py

Every top-level file in pipelines/ and Tests/SiamPipelineTests/Fixtures/good must
validate; every bad fixture that the schema can catch (see DECODER_ONLY in
Tests/SiamPipelineTests/PipelineSchemaTests.swift) must not. Needs PyYAML and jsonschema.
"""
import glob, json, os, sys
import jsonschema, yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DECODER_ONLY = {
    "cycle", "missing-stage-reference", "unknown-augmentation-reference", "unknown-encoder-reference",
    "wrong-input-kind", "missing-needs", "self-needs", "queue-not-multiple", "convnet-strides-mismatch",
    "blur-both-kernels", "momentum-order", "crop-scale-order", "bad-sweep", "include-missing", "include-cycle",
    "syntax-error", "duplicate-key", "bad-merge-key", "undefined-alias",
}

schema = json.load(open(os.path.join(ROOT, "schemas", "pipeline.schema.json")))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)
failures = 0
good = sorted(glob.glob(os.path.join(ROOT, "pipelines", "*.yaml"))
              + glob.glob(os.path.join(ROOT, "Tests/SiamPipelineTests/Fixtures/good/*.yaml")))
for path in good:
    errors = list(validator.iter_errors(yaml.safe_load(open(path))))
    if errors:
        failures += 1
        print(f"FAIL (should validate) {os.path.relpath(path, ROOT)}: {errors[0].message[:200]}")
for path in sorted(glob.glob(os.path.join(ROOT, "Tests/SiamPipelineTests/Fixtures/bad/*.yaml"))):
    name = os.path.splitext(os.path.basename(path))[0]
    if name in DECODER_ONLY:
        continue
    if validator.is_valid(yaml.safe_load(open(path))):
        failures += 1
        print(f"FAIL (should be rejected) {os.path.relpath(path, ROOT)}")
print(f"{len(good)} good files checked; {failures} failure(s)")
sys.exit(1 if failures else 0)
