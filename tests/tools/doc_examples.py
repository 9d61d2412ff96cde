#!/usr/bin/env python3
"""Runs the shell examples of one Markdown file, as a reader would, in a scratch directory.

Fenced blocks whose info string is:
  sh       a script: run with bash (errexit, pipefail); it must exit 0.
  console  commands after "$ " (a line ending in "\\" goes on), each followed by what it
           prints (stdout and stderr together): every shown line must come out, in order; a
           line "..." stands for any number of lines, a line ending in "..." for any line
           that starts so. A command ending in "# exits N" must exit N, the others 0.
Any other block (text, json, yaml, none) is not run. A sh or console block whose first
line is "# not run by the doc-test: REASON" is skipped, and says why.

The scratch directory holds examples/, a copy of each example at its top (kratos.yml,
identity.schema.json, ...), key.txt (a write key), ory-key.txt and webhook-action.json (built
from the example template, as the README builds it); blocks of one file run in order, in the
same directory. On PATH: ory-segment, and a stand-in for the Ory CLI that keeps one
project's identity config (at first examples/kratos.yml): `ory get identity-config`
prints it, `ory patch identity-config --add/--replace/--remove` changes it, `ory list
identities` prints examples/identities.jsonl as one page. Port 8765 in a block becomes a free ephemeral port on 127.0.0.1. Every proxy variable
points at a closed loopback port, so nothing a block runs reaches another machine. Processes a
block leaves in the background are killed when it ends.

Prints one line per block (run, skipped: REASON, FAILED: why) and a count; exits 1 when a
block failed, 2 on bad usage.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

SKIP = "# not run by the doc-test:"
TIMEOUT = 120

FAKE_ORY = r"""#!/usr/bin/env python3
# A stand-in for the Ory CLI: one project's identity config, kept in the scratch directory
# (at first examples/kratos.yml: a quickstart project before the recipe).
import json, os, sys, yaml
import jsonpatch
state = os.path.join(os.environ["DOC_TEST_DIR"], ".ory-identity-config.json")
def load():
    if not os.path.exists(state):
        with open(os.path.join(os.environ["DOC_TEST_DIR"], "examples", "kratos.yml")) as f:
            return yaml.safe_load(f)
    with open(state) as f:
        return json.load(f)
def show(config, args):
    fmt = args[args.index("--format") + 1] if "--format" in args else "yaml"
    print(json.dumps(config, indent=2) if fmt.startswith("json") else yaml.safe_dump(config, sort_keys=False), end="")
args = sys.argv[1:]
what = " ".join(args[:2])
if what == "get identity-config":
    show(load(), args)
elif what == "list identities":
    with open(os.path.join(os.environ["DOC_TEST_DIR"], "examples", "identities.jsonl")) as f:
        print(json.dumps({"identities": [json.loads(l) for l in f if l.strip()], "next_page_token": ""}))
elif what == "patch identity-config":
    ops, i = [], 2
    while i < len(args):
        if args[i] in ("--add", "--replace"):
            path, value = args[i + 1].split("=", 1)
            ops.append({"op": args[i][2:], "path": path, "value": json.loads(value)})
        elif args[i] == "--remove":
            ops.append({"op": "remove", "path": args[i + 1]})
        i += 2 if args[i].startswith("--") else 1
    config = jsonpatch.apply_patch(load(), ops)
    with open(state, "w") as f:
        json.dump(config, f)
    show(config, args)
else:
    sys.exit("ory (doc-test stand-in): %r is not faked" % what)
"""


def blocks(text):
    """(line, info, lines) for each fenced block."""
    out, info, body, start = [], None, [], 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            if info is None:
                info, body, start = line[3:].strip(), [], number
            else:
                out.append((start, info, body))
                info = None
        elif info is not None:
            body.append(line)
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(script, cwd, env):
    """Runs `script` with bash in its own process group; kills what it leaves behind (a
    listener in the background) once bash has exited."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(["bash", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            status = proc.wait(timeout=TIMEOUT)
            suffix = ""
        except subprocess.TimeoutExpired:
            status, suffix = 124, "\n(timed out)"
        try:
            os.killpg(proc.pid, signal.SIGKILL if suffix else signal.SIGTERM)
        except ProcessLookupError:
            pass
        proc.wait()
        out.seek(0)
        return status, out.read().decode(errors="replace") + suffix


def matches(expected, actual):
    """Whether `actual` lines show every `expected` line, in order ("..." wildcards)."""
    def match(i, j):
        if i == len(expected):
            return j == len(actual)  # nothing unshown after the last line: end with "..."
        e = expected[i]
        if e.strip() == "...":
            return any(match(i + 1, k) for k in range(j, len(actual) + 1))
        for k in range(j, len(actual)):
            line = actual[k]
            if line == e or (e.endswith("...") and line.startswith(e[:-3])):
                return match(i + 1, k + 1)
            return False
        return False
    return match(0, 0)


def console(lines):
    """(command, expected status, expected lines) for each "$ " command."""
    out = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            raise ValueError("console block line without '$ ' before it: " + lines[i])
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command + "\n" + lines[i]  # bash joins the lines
        i += 1
        expected = []
        while i < len(lines) and not lines[i].startswith("$ "):
            expected.append(lines[i])
            i += 1
        status = 0
        m = re.search(r"\s+# exits (\d+)$", command)
        if m:
            status, command = int(m.group(1)), command[:m.start()]
        out.append((command, status, expected))
    return out


def main():
    if len(sys.argv) != 4:
        print("usage: doc_examples.py BIN_DIR SOURCE_DIR FILE.md", file=sys.stderr)
        return 2
    bin_dir, source, doc = sys.argv[1:]
    scratch = tempfile.mkdtemp(prefix="ory-segment-doc-test.")
    try:
        shutil.copytree(os.path.join(source, "examples"), os.path.join(scratch, "examples"))
        for name in os.listdir(os.path.join(source, "examples")):
            shutil.copy(os.path.join(source, "examples", name), scratch)
        with open(os.path.join(scratch, "key.txt"), "w") as f:
            f.write("doc-test-write-key\n")
        with open(os.path.join(scratch, "ory-key.txt"), "w") as f:
            f.write("ory_pat_doc_test\n")
        fake_bin = os.path.join(scratch, ".bin")
        os.mkdir(fake_bin)
        with open(os.path.join(fake_bin, "ory"), "w") as f:
            f.write(FAKE_ORY)
        os.chmod(os.path.join(fake_bin, "ory"), 0o755)
        subprocess.run([os.path.join(bin_dir, "ory-segment"), "build-action", "--jsonnet",
                        "segment_identify.jsonnet", "--write-key-file", "key.txt",
                        "--ignore-response", "-q", "-o", "webhook-action.json"],
                       cwd=scratch, check=True, stderr=subprocess.DEVNULL)
        dead = "http://127.0.0.1:9"
        env = {"PATH": bin_dir + ":" + fake_bin + ":/usr/bin:/bin", "HOME": scratch,
               "DOC_TEST_DIR": scratch, "SEGMENT_WRITE_KEY": "doc-test-write-key",
               "ORY_PROJECT": "doc-test-project", "ORY_PROJECT_SLUG": "doc-test",
               "NO_COLOR": "1", "TZ": "UTC", "LANG": "C.UTF-8",
               "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                    "all_proxy"):
            env[var] = dead
        with open(doc) as f:
            text = f.read()
        ran = skipped = failed = 0
        for line, info, body in blocks(text):
            kind = info.split()[0] if info else ""
            if kind not in ("sh", "console"):
                continue
            where = "%s:%d" % (os.path.basename(doc), line)
            if body and body[0].startswith(SKIP):
                reason = body[0][len(SKIP):].strip()
                if not reason:
                    print("%s: FAILED: a skipped block must say why" % where)
                    failed += 1
                else:
                    print("%s: skipped: %s" % (where, reason))
                    skipped += 1
                continue
            port = str(free_port())
            body = [l.replace("8765", port) for l in body]
            problems = []
            if kind == "sh":
                status, out = run("set -e\n" + "\n".join(body), scratch, env)
                if status != 0:
                    problems.append("exit %d:\n%s" % (status, out))
            else:
                for command, want, expected in console(body):
                    status, out = run(command, scratch, env)
                    actual = out.rstrip("\n").split("\n") if out else []
                    if status != want:
                        problems.append("$ %s\nexit %d, not %d:\n%s" % (command, status, want, out))
                    elif expected and not matches(expected, actual):
                        problems.append("$ %s\nprinted:\n%s\nnot as shown:\n%s" %
                                        (command, out, "\n".join(expected)))
            if problems:
                print("%s: FAILED: %s" % (where, "\n".join(problems)))
                failed += 1
            else:
                print("%s: ran" % where)
                ran += 1
        print("%s: %d ran, %d skipped, %d failed" % (os.path.basename(doc), ran, skipped, failed))
        return 1 if failed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
