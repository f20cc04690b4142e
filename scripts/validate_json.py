#!/usr/bin/env python3
"""Validates VMSim JSON output against its schema in docs/schemas/ (JSON Schema 2020-12, with the
jsonschema package: Debian python3-jsonschema, or pip). Usage: validate_json.py SCHEMA FILE...
Prints each problem as FILE: PATH: message; exit status 1 when there is one."""
import json
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_json.py: the jsonschema package is missing (Debian: apt-get install python3-jsonschema)")


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: validate_json.py SCHEMA FILE...")
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    for path in sys.argv[2:]:
        doc = json.load(open(path))
        for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
            bad += 1
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            print(f"{path}: {where}: {error.message[:300]}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
