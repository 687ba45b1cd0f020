"""Issue 9.8: the formats agree with their tools — JSON Schema, pydantic and OpenAPI refuse
the clock times and dates meshgen refuses; OpenAPI numbers carry their width; an Avro enum
can gain a symbol under `full` compatibility (Avro's own checker)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from meshgen.model.types import DataType, Kind
from meshgen.model.values import ValueProblem, to_python
from meshgen.schemas import Reporter
from meshgen.schemas.jsonschema import DATE_PATTERN, TIME_PATTERN, TIMESTAMP_NTZ_PATTERN
from tests.conftest import need_module

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    Kind.TIME: ["25:61:61", "24:00:00", "23:60:00", "12:30:60", "23:59:59", "00:00:00.000001", "09:05:07.5"],
    Kind.DATE: ["2026-13-01", "2026-02-29", "2024-02-29", "2000-02-29", "1900-02-29", "2026-04-31", "0000-01-01",
                "0001-01-01", "2026-12-31", "2026-00-10"],
    Kind.TIMESTAMP_NTZ: ["2026-01-01T25:00:00", "2026-02-30T10:00:00", "2024-02-29T23:59:59.999999",
                         "2026-06-31T00:00:00", "2026-06-30T00:00:00", "2026-01-01T10:61:00"],
}
PATTERNS = {Kind.TIME: TIME_PATTERN, Kind.DATE: DATE_PATTERN, Kind.TIMESTAMP_NTZ: TIMESTAMP_NTZ_PATTERN}


def _meshgen_accepts(text: str, kind: Kind) -> bool:
    try:
        to_python(text, DataType(kind))
        return True
    except ValueProblem:
        return False


@pytest.mark.parametrize("kind,text", [(k, t) for k, texts in CASES.items() for t in texts])
def test_patterns_accept_exactly_what_meshgen_accepts(kind, text):
    assert bool(re.match(PATTERNS[kind], text)) == _meshgen_accepts(text, kind)


@pytest.mark.parametrize("kind", sorted(CASES, key=lambda k: k.value))
def test_pydantic_checks_the_same_patterns(kind):
    pydantic = need_module("pydantic")
    from typing import Annotated

    model = pydantic.create_model("M", v=(Annotated[str, pydantic.StringConstraints(pattern=PATTERNS[kind])], ...))
    for text in CASES[kind]:
        try:
            model(v=text)
            ok = True
        except pydantic.ValidationError:
            ok = False
        assert ok == _meshgen_accepts(text, kind), text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from meshgen.api import build

    tmp = tmp_path_factory.mktemp("agree")
    shutil.copytree(ROOT / "specs", tmp / "mesh", ignore=shutil.ignore_patterns("build"))
    result = build(tmp / "mesh", output=tmp / "out", targets=["avro", "openapi"])
    return result, tmp / "out"


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def test_openapi_numbers_say_their_width(built):
    _, out = built
    docs = sorted(out.rglob("openapi/*.json"))
    assert docs
    seen = set()
    for path in docs:
        for node in _walk(json.loads(path.read_text())):
            types = node.get("type")
            types = types if isinstance(types, list) else [types]
            if "integer" in types or "number" in types:
                assert node.get("format") in ("int32", "int64", "float", "double"), (path.name, node)
                seen.add(node["format"])
    assert {"int32", "int64"} <= seen


def test_avro_enums_can_gain_a_symbol_under_full_compatibility(built):
    avro_schema = need_module("avro.schema")
    from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

    _, out = built
    enums = []
    for path in sorted(out.rglob("avro/*.avsc")):
        enums += [n for n in _walk(json.loads(path.read_text())) if n.get("type") == "enum"]
    assert enums
    for enum in enums:
        grown = dict(enum, symbols=enum["symbols"] + ["ADDED_LATER"])
        old, new = avro_schema.parse(json.dumps(enum)), avro_schema.parse(json.dumps(grown))
        checker = ReaderWriterCompatibilityChecker()
        for reader, writer in ((old, new), (new, old)):  # full: both directions
            verdict = checker.get_compatibility(reader, writer).compatibility
            assert verdict is SchemaCompatibilityType.compatible, enum["name"]
