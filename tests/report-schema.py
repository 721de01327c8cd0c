#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Validates run reports against the schema: report-schema.py SCHEMA REPORT...

Exit 0 when every report is valid; otherwise prints each error (the JSON path and the reason,
cut short: a sample array would fill the screen) and exits 1. Uses python3-jsonschema."""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    ok = True
    for path in sys.argv[2:]:
        errors = list(validator.iter_errors(json.load(open(path))))
        for e in errors[:20]:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            print(f"{path}: {where}: {e.message[:200]}")
        if errors:
            ok = False
        else:
            print(f"{path}: valid")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
