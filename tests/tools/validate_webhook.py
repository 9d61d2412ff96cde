#!/usr/bin/python3
"""Validates web_hook actions (JSON or YAML files) against Kratos's own config schema.

usage: validate_webhook.py SCHEMA ACTION_FILE...
Exit 0 when every file is valid; 1 with one line per problem otherwise. Uses
Debian's python3-jsonschema (with python3-rfc3987, so `format: uri` is checked).
"""
import json
import sys

import jsonschema
import yaml


def main():
    schema_path, files = sys.argv[1], sys.argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        full = json.load(f)
    schema = {"$ref": "#/definitions/selfServiceWebHook", "definitions": full["definitions"]}
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    if "uri" not in jsonschema.FormatChecker.checkers:
        print("format 'uri' is not checked: install python3-rfc3987", file=sys.stderr)
        return 2
    failed = False
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        action = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
        for error in validator.iter_errors(action):
            failed = True
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: /{where}: {error.message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
