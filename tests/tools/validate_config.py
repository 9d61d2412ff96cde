#!/usr/bin/python3
"""Validates Kratos configs or parts of them (JSON or YAML files) against Kratos's own
config schema, with Debian's python3-jsonschema (and python3-rfc3987, so `format: uri`
is checked).

usage: validate_config.py SCHEMA [--pointer /selfservice/flows | --definition NAME] FILE...
--pointer: validate only that part of each file, against the matching part of the schema
(for partial configs, such as the hook lists a patch touches). --definition: each file is
one value of that schema definition (selfServiceWebHook for a web_hook action).
Exit 0 when all are valid, 1 otherwise, with one line per problem.
"""
import json
import sys

import jsonschema
import yaml


def main():
    args = sys.argv[1:]
    with open(args.pop(0), encoding="utf-8") as f:
        schema = json.load(f)
    if "uri" not in jsonschema.FormatChecker.checkers:
        print("format 'uri' is not checked: install python3-rfc3987", file=sys.stderr)
        return 2
    pointer = ""
    sub = schema
    if args and args[0] == "--definition":
        args.pop(0)
        sub = {"$ref": "#/definitions/" + args.pop(0)}
    elif args and args[0] == "--pointer":
        args.pop(0)
        pointer = args.pop(0)
    tokens = [t for t in pointer.split("/") if t]
    for t in tokens:
        sub = sub["properties"][t]
    sub = dict(sub, definitions=schema["definitions"])
    validator = jsonschema.Draft7Validator(sub, format_checker=jsonschema.FormatChecker())
    failed = False
    for path in args:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        config = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
        for t in tokens:
            config = config[t]
        for error in validator.iter_errors(config):
            failed = True
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"{path}: {pointer}/{where}: {error.message[:300]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
