#!/usr/bin/python3
"""Applies an RFC 6902 patch with Debian's python3-jsonpatch, an implementation independent
of ory-segment's, and prints the result as JSON.

usage: jsonpatch_apply.py CONFIG(JSON or YAML) PATCH(JSON)
"""
import json
import sys

import jsonpatch
import yaml


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
    with open(sys.argv[2], encoding="utf-8") as f:
        patch = json.load(f)
    print(json.dumps(jsonpatch.apply_patch(doc, patch), ensure_ascii=False))


if __name__ == "__main__":
    main()
