"""A short fuzz run: hostile meshes through real `meshgen validate` and `meshgen build`.

Hypothesis builds a mesh from a valid product plus hostile mutations: symlinks (inside and
outside the mesh), special files (a FIFO where a product should be), deep nesting, ReDoS
patterns, NaN/Inf, colliding names, hostile strings, YAML 1.1-only forms, aliases, deep
types. Each mesh runs through both commands as subprocesses with a timeout and a memory limit
(MemoryError is exit 3: a failure here), and every run
must end as a clean result or a positioned diagnostic: no exit 3, no hang, no segfault, no
traceback. CI runs a short run (MESHGEN_FUZZ_EXAMPLES, default 10; tests/fuzz/budget.py); the long one
(docs/testing.md) is

    MESHGEN_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/fuzz -q
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import need_module

hypothesis = need_module("hypothesis")
from hypothesis import given, strategies as st  # noqa: E402

from tests.fuzz.budget import TIMEOUT, fuzz_settings  # noqa: E402

SECRET = "fuzz-secret-0f3a9c"  # in every command's environment; /proc/self/environ must not leak it
MEMORY = 4 << 30  # bytes of address space per command: a billion laughs or a 5 GB read fails, not the machine

BASE = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: {domain}
name: {name}
version: 1.0.0
owner: {{team: fuzz-team, email: fuzz@example.com}}
description: {{purpose: {purpose}}}
datasets:
  - name: {dataset}
    description: one row per thing
    primaryKey: [id]
    fields:
      - {{name: id, type: long, required: true}}
{fields}{tail}"""

HOSTILE_TEXT = [
    '"\\0"', '"\\x07\\x0b\\x0c"', '"line\\u2028sep\\u2029"', '"\\u202e\\u200b"', "'{{ 7*7 }}{% raw %}'",
    "\"'; DROP TABLE x; --\"", '"*/ /* \\\\ \\" \\n ::error::x"', "'" + "x" * 5000 + "'", '"\\ud83d\\ude00"',
    "'<script>'", "'$(touch /tmp/meshgen-fuzz-pwned)'", "'\\\\'", '"\\t"', "''",
]
YAML11 = ["yes", "no", "on", "off", "y", "~", "0o17", "010", "1_000", "0x1F", "12:30:00", "2001-12-14t21:59:43.10-05:00",
          ".NaN", "-.Inf", "1e400", "!!binary aGk=", "!!python/object:os.system x", "<<: {a: 1}"]
NAMES = ["note", "Note", "a_b", "a-b", "AB", "order_id", "orderId", "select", "class", "_", "x" * 129, "a/b", "..",
         "über", "名前", "1st", "a b", "a:b"]
TYPES = ["string", "int", "long", "float", "double", "decimal(38,10)", "decimal(1,0)", "boolean", "date", "time",
         "timestamp", "timestamp_ntz", "bytes", "uuid", "json", "array<string>", "map<long>", "strng",
         "decimal(39,2)", "array<" * 20 + "string" + ">" * 20, "map<array<map<double>>>"]


def field_lines(draw) -> str:
    """Zero or more hostile fields, as flow mappings under the dataset's fields."""
    out = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(NAMES))
        kind = draw(st.sampled_from(["plain", "nan", "redos", "text", "yaml11", "bounds", "enum", "nested"]))
        if kind == "plain":
            out.append(f"{{name: '{name}', type: '{draw(st.sampled_from(TYPES))}'}}")
        elif kind == "nan":
            key = draw(st.sampled_from(["minimum", "maximum", "default"]))
            out.append(f"{{name: '{name}', type: double, {key}: {draw(st.sampled_from(['.nan', '.inf', '-.inf', '1e400']))}}}")
        elif kind == "redos":
            pattern = draw(st.sampled_from(["^(a+)+$", "(a|aa)+$", "^(a|a)*$", "(?=a)a", r"(a)\1", "[", "^(\\w+\\s?)*$"]))
            out.append(f"{{name: '{name}', type: string, pattern: '{pattern}', default: '{'a' * 40}!'}}")
        elif kind == "text":
            out.append(f"{{name: '{name}', type: string, description: {draw(st.sampled_from(HOSTILE_TEXT))}}}")
        elif kind == "yaml11":
            out.append(f"{{name: '{name}', type: string, default: {draw(st.sampled_from(YAML11))}}}")
        elif kind == "bounds":
            out.append(f"{{name: '{name}', type: string, maxLength: {draw(st.sampled_from([0, 2, 10**30, 20000000]))}, "
                       f"default: abcdef}}")
        elif kind == "enum":
            symbols = draw(st.lists(st.sampled_from(NAMES + ["PAID", "paid"]), min_size=0, max_size=5))
            out.append(f"{{name: '{name}', type: enum, symbols: {json.dumps(symbols)}}}")
        else:
            depth = draw(st.integers(1, 20))
            out.append("{name: n, type: struct, fields: [" * depth + "{name: leaf, type: int}" + "]}" * depth)
    return "".join(f"      - {line}\n" for line in out)


@st.composite
def hostile_meshes(draw):
    """(files: relative path → text, or a special marker) for one mesh folder."""
    fields = field_lines(draw)
    tail = draw(st.sampled_from([
        "",
        "    examples:\n      - {id: 1}\n",
        "    examples:\n      - {id: .nan}\n",
        "  - name: a_b\n    fields: [{name: id, type: int}]\n  - name: AB\n    fields: [{name: id, type: int}]\n",
        "outputPorts:\n  - {name: t, type: table, dataset: ds, platform: postgres}\n",
        "inputPorts:\n  - {name: self, product: data://d/p/v1, dataset: ds, fields: [id]}\n",
        "x: &a [1, 2]\ny: *a\n",
        "deep: " + "[" * draw(st.integers(60, 40000)) + "\n",
        "deep: " + "{a: " * draw(st.integers(60, 3000)) + "\n",
    ]))
    text = BASE.format(domain=draw(st.sampled_from(["d", "D", "a:b", "d-1"])), name="p",
                       purpose=draw(st.sampled_from(HOSTILE_TEXT[4:])), dataset=draw(st.sampled_from(["ds", "Ds", "a-b"])),
                       fields=fields, tail=tail)
    files: dict[str, object] = {"meshgen.yaml": "", "d/p/v1/dataproduct.yaml": text}
    extra = draw(st.sampled_from(["none", "fifo", "symlink-out", "symlink-in", "symlink-loop", "binary", "empty",
                                  "environ", "config-link", "template-link", "template-fifo"]))
    if extra == "fifo":
        files["e/fifo/v1/dataproduct.yaml"] = ("fifo",)
    elif extra == "symlink-out":
        files["e/out/v1/dataproduct.yaml"] = ("symlink", "/etc/passwd")
    elif extra == "symlink-in":
        files["e/in/v1/dataproduct.yaml"] = ("symlink", "../../../d/p/v1/dataproduct.yaml")
    elif extra == "symlink-loop":
        files["e/loop/v1/dataproduct.yaml"] = ("symlink", "dataproduct.yaml")
    elif extra == "binary":
        files["e/bin/v1/dataproduct.yaml"] = b"\xff\xfe\x00a: \x00\n"
    elif extra == "empty":
        files["e/empty/v1/dataproduct.yaml"] = ""
    elif extra == "environ":  # the environment holds SECRET: it must never be printed
        files["e/env/v1/dataproduct.yaml"] = ("symlink", "/proc/self/environ")
    elif extra == "config-link":
        files["meshgen.yaml"] = ("symlink", "/proc/self/environ")
    elif extra.startswith("template-"):
        files["meshgen.yaml"] = "templates: templates\n"
        files["templates/avro/schema.avsc.j2"] = ("symlink", "/etc/passwd") if extra == "template-link" else ("fifo",)
    return files


def materialize(root: Path, files: dict) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple) and content[0] == "fifo":
            os.mkfifo(path)
        elif isinstance(content, tuple):
            path.symlink_to(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_meshgen(*args: str, cwd: Path) -> int:
    """One command as a subprocess, judged: its exit code (0, 1 or 2; anything else fails)."""
    try:
        proc = subprocess.run([sys.executable, "-m", "meshgen", *args, "--format", "json"], cwd=cwd,
                              capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                              preexec_fn=_limit_memory, env={**os.environ, "MESHGEN_FUZZ_SECRET": SECRET})
    except subprocess.TimeoutExpired:
        pytest.fail(f"meshgen {' '.join(args)} hung (over {TIMEOUT:.0f} s)")
    assert proc.returncode in (0, 1, 2), f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    assert SECRET not in proc.stdout + proc.stderr, "the environment was printed"
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr[-2000:]
    if proc.returncode == 0:
        return 0
    diagnostics = json.loads(proc.stdout)
    errors = [d for d in diagnostics if d["severity"] == "error"]
    assert errors, f"exit {proc.returncode} without an error diagnostic: {proc.stdout[-2000:]}"
    for d in errors:
        assert d["code"] and d["message"] and d["hint"], d
        assert d["file"] and d["line"] >= 1 and d["column"] >= 1, d
    return proc.returncode


@fuzz_settings(10)
@given(files=hostile_meshes())
def test_hostile_meshes_end_in_a_result_or_a_positioned_diagnostic(files, tmp_path_factory):
    root = tmp_path_factory.mktemp("mesh")
    materialize(root, files)
    run_meshgen("validate", ".", cwd=root)
    run_meshgen("build", ".", "-o", str(root.parent / (root.name + "-out")), cwd=root)
    assert not Path("/tmp/meshgen-fuzz-pwned").exists()
