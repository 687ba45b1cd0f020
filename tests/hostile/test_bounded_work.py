"""Bounded work for any input: nesting, type depth and regular expressions from specs.

The attacks run as real `meshgen` subprocesses: a segfault (exit -11) or a hang must show as
such, not take the test runner down with it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from meshgen.load.nesting import SAFE_COMPOSE_DEPTH, depth_upper_bound, first_too_deep
from meshgen.model.types import MAX_TYPE_DEPTH
from tests.hostile.product import line_of, write_product


def meshgen(*args, timeout: float = 60) -> tuple[int, list[dict]]:
    proc = subprocess.run([sys.executable, "-m", "meshgen", *map(str, args), "--format", "json"],
                          capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else []


@pytest.mark.parametrize("text, line, column", [
    ("a: " + "[" * 30000 + "]" * 30000 + "\n", 1, 4 + 64),        # flow sequences (segfaulted)
    ("a: " + "{b: " * 30000 + "}" * 30000 + "\n", 1, 4 + 4 * 64),  # flow mappings
    ("a: " + "[" * 30000 + "\n", 1, 4 + 64),                        # never closed
    ("- " * 30000 + "x\n", 1, 1 + 2 * 65),                          # compact block sequences
    ("".join(" " * i + "k:\n" for i in range(3000)), 66, 66),       # indentation
])
def test_deep_nesting_is_refused_before_the_composer(tmp_path, text, line, column):
    path = tmp_path / "dataproduct.yaml"
    path.write_text(text)
    code, diagnostics = meshgen("validate", path)
    assert code == 2, diagnostics
    assert [(d["code"], d["line"], d["column"]) for d in diagnostics] == [("LOAD008", line, column)]


def test_the_cheap_bound_bounds_the_real_depth():
    # the bound never under-estimates; real product files stay under it without the event pass
    for text in ("a: [[1]]\n", "- - - x\n", "a:\n  b:\n    - [c, {d: e}]\n", "k: '[[[['\n"):
        assert depth_upper_bound(text) >= 4
    assert first_too_deep("a: " + "[" * 64 + "]" * 64) is None
    assert first_too_deep("x: '" + "[" * (SAFE_COMPOSE_DEPTH * 2) + "'\n") is None  # quoted: not nesting


@pytest.mark.parametrize("depth, ok", [(MAX_TYPE_DEPTH, True), (MAX_TYPE_DEPTH + 1, False), (250, False)])
def test_type_expressions_nest_within_the_limit(tmp_path, depth, ok):
    expr = "array<" * depth + "string" + ">" * depth
    path = write_product(tmp_path, f"      - {{name: deep, type: '{expr}'}}\n")
    code, diagnostics = meshgen("validate", path)
    errors = [d for d in diagnostics if d["severity"] == "error"]
    if ok:
        assert code == 0, errors
        return
    assert code == 1
    assert [d["code"] for d in errors] == ["SPEC006"]
    assert errors[0]["line"] == line_of(path, "deep")
    assert f"at most {MAX_TYPE_DEPTH} levels" in errors[0]["message"]


def test_structs_and_expressions_count_together(tmp_path):
    inner = "array<" * (MAX_TYPE_DEPTH - 1) + "string" + ">" * (MAX_TYPE_DEPTH - 1)
    field = f"      - {{name: wrapper, type: struct, fields: [{{name: member, type: '{inner}'}}]}}\n"
    code, diagnostics = meshgen("validate", write_product(tmp_path, field))
    assert code == 0, diagnostics
    deeper = field.replace("type: struct, fields: [", "type: struct, fields: [{name: mid, type: struct, fields: [") \
        .replace("}]}\n", "}]}]}\n")
    path = write_product(tmp_path, deeper)
    code, diagnostics = meshgen("validate", path)
    assert code == 1
    (error,) = [d for d in diagnostics if d["severity"] == "error"]
    assert error["line"] == line_of(path, "wrapper") and "levels of array, map and struct" in error["message"]


def test_a_catastrophic_pattern_is_matched_in_linear_time(tmp_path):
    fields = "      - {name: code, type: string, pattern: '^(a+)+$'}\n"
    tail = "    examples:\n      - {id: 1, code: '" + "a" * 5000 + "!'}\n"
    path = write_product(tmp_path, fields, tail)
    code, diagnostics = meshgen("validate", path, timeout=30)  # backtracking never finishes
    assert code == 1
    (error,) = [d for d in diagnostics if d["severity"] == "error"]
    assert error["code"] == "SPEC010" and "does not match pattern" in error["message"]
    assert error["line"] == line_of(path, "code: 'aaa")


@pytest.mark.parametrize("pattern, reason", [
    (r"^(a)\1$", "backreferences"),
    ("^(?=a).*$", "lookaround"),
    ("^[ab", "missing ]"),
])
def test_patterns_outside_re2_syntax_are_refused(tmp_path, pattern, reason):
    path = write_product(tmp_path, f"      - {{name: code, type: string, pattern: '{pattern}'}}\n")
    code, diagnostics = meshgen("validate", path)
    assert code == 1
    (error,) = [d for d in diagnostics if d["severity"] == "error"]
    assert error["code"] == "SPEC004" and reason in error["message"]
    assert error["line"] == line_of(path, "pattern")


def test_a_huge_enum_never_reaches_datamodel_code_generator(tmp_path):
    """Its enum naming is quadratic (100,000 symbols: `validate` ran for over 600 s). Past the
    limit the model types the field `str`, with a note at the field; the JSON Schema keeps all."""
    from tests.conftest import need_module
    from meshgen.targets.pydantic_models import MAX_ENUM_SYMBOLS

    need_module("datamodel_code_generator")
    count = MAX_ENUM_SYMBOLS + 1
    symbols = ", ".join(f"S{i}" for i in range(count))
    path = write_product(tmp_path, "      - {name: small, type: enum, symbols: [A, B]}\n"
                                   f"      - {{name: state, type: enum, symbols: [{symbols}]}}\n")
    out = tmp_path / "out"
    code, diagnostics = meshgen("build", path, "-o", out, "-t", "pydantic", "-t", "jsonschema", "-v")
    assert code == 0, diagnostics
    assert [(d["code"], d["severity"], d["line"]) for d in diagnostics] == [
        ("PYDANTIC002", "note", line_of(path, "name: state"))]
    assert f"{count:,} symbols" in diagnostics[0]["message"]
    module = (out / "d/p/v1/pydantic/ds.py").read_text()
    assert "state: str | None" in module and "class Small(" in module and "S4999" not in module
    schema = json.loads((out / "d/p/v1/jsonschema/ds.schema.json").read_text())
    assert len(schema["properties"]["state"]["enum"]) == count + 1  # and null


def test_a_long_source_line_is_shown_as_a_window_around_the_column(tmp_path):
    from meshgen.reporting.human import SOURCE_WIDTH

    filler = ", ".join(f"S{i}" for i in range(20000))
    path = write_product(tmp_path, f"      - {{name: state, type: enum, symbols: [{filler}], bogus: 1}}\n")
    proc = subprocess.run([sys.executable, "-m", "meshgen", "validate", str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1, proc.stdout[:2000]  # SPEC002 at `bogus`, column 148,936
    lines = proc.stdout.splitlines()
    source = next(i for i, line in enumerate(lines) if line.lstrip().startswith(f"{line_of(path, 'state')} |"))
    assert len(lines[source]) < SOURCE_WIDTH + 20 and lines[source].endswith("], bogus: 1}")
    caret = lines[source + 1].index("^")
    assert lines[source][caret:caret + 5] == "bogus"
