"""Issue 14's fuzzing of `meshgen import`: mutations of the Avro schemas, SQL DDL and ODCS
contracts meshgen itself writes for the example mesh (what teams feed back in most), with every
SQL dialect, including the wrong one. Each import must succeed, and then its product passes
`meshgen validate` or fails it with positioned diagnostics, or the import exits 1 or 2 with an
error at a file, line and column; never an exception, a traceback or a hang (the same judge as
test_every_command.run). The example count is MESHGEN_FUZZ_EXAMPLES, as there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from meshgen.serializer import yaml_document
from tests.conftest import SPECS, need_module
from tests.fuzz.test_every_command import FRAGMENTS, HOSTILE, SETTINGS, WRONG, mutate_document, run

need_module("sqlglot")  # meshgen[import]: the SQL importer parses with it
from hypothesis import given, strategies as st  # noqa: E402

DIALECTS = ["postgres", "snowflake", "bigquery", "databricks", "duckdb", "redshift"]
SQL_WORDS = ["CREATE", "TABLE", "(", ")", ",", ";", "NOT NULL", "PRIMARY KEY", "DEFAULT", "CHECK", "COMMENT", "'",
             '"', "`", "--", "/*", "ARRAY<", "STRUCT<", ">", "DECIMAL(38, 0)", "NUMERIC(99, 99)", "VARCHAR(-1)",
             "select", "PARTITION BY", "CLUSTER BY", "(" * 200, ")" * 200]
AVRO_TYPES = ["null", "string", "nope", ["null"], [], {}, {"type": "array"}, {"type": "map", "values": "x"},
              {"type": "fixed", "size": -1, "name": "f"}, {"type": "enum", "name": "e", "symbols": []},
              {"type": "record", "name": "r", "fields": "x"}, {"type": "long", "logicalType": "timestamp-micros"},
              {"type": "bytes", "logicalType": "decimal", "precision": 0, "scale": 5}, "Self", 7]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, list[Path]]:
    """The example mesh's Avro, SQL and ODCS files, as `meshgen build` writes them."""
    out = tmp_path_factory.mktemp("seeds") / "out"
    code, _ = run(["build", SPECS, "-o", out, "-t", "avro", "-t", "sql", "-t", "odcs", "--format", "json"],
                  json_format=True)
    assert code == 0
    found = {"avro": sorted(out.glob("**/*.avsc")), "sql": sorted(out.glob("**/sql/*/*.sql")),
             "odcs": sorted(out.glob("**/*.odcs.yaml"))}
    assert all(found.values()), {k: len(v) for k, v in found.items()}
    return found


def _mutate_text(draw, text: str) -> str:
    """A cut, a duplicated span, or raw bytes spliced in at a random place."""
    at = draw(st.integers(0, len(text)))
    kind = draw(st.sampled_from(["cut", "duplicate", "splice"]))
    if kind == "cut":
        return text[:at]
    if kind == "duplicate":
        end = draw(st.integers(at, min(len(text), at + 400)))
        return text[:end] + text[at:end] + text[end:]
    return text[:at] + draw(st.sampled_from(HOSTILE + FRAGMENTS)) + text[at:]


@st.composite
def avro_inputs(draw, seeds):
    text = draw(st.sampled_from(seeds["avro"])).read_text(encoding="utf-8")
    if draw(st.integers(0, 3)) == 0:
        return _mutate_text(draw, text)
    document = json.loads(text)
    mutate_document(draw, document, AVRO_TYPES + WRONG + HOSTILE)
    return json.dumps(document, ensure_ascii=draw(st.booleans()))


@st.composite
def sql_inputs(draw, seeds):
    text = draw(st.sampled_from(seeds["sql"])).read_text(encoding="utf-8")
    tokens = re.findall(r"\w+|\s+|[^\w\s]", text)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(["delete", "replace", "insert"]))
        if kind == "delete":
            del tokens[i]
        else:
            tokens[i:i + (kind == "replace")] = [draw(st.sampled_from(SQL_WORDS + HOSTILE))]
    return "".join(tokens)


@st.composite
def odcs_inputs(draw, seeds):
    from ruamel.yaml import YAML

    text = draw(st.sampled_from(seeds["odcs"])).read_text(encoding="utf-8")
    if draw(st.integers(0, 3)) == 0:
        return _mutate_text(draw, text)
    document = YAML(typ="safe", pure=True).load(text)
    mutate_document(draw, document, WRONG + HOSTILE)
    return yaml_document(document)


def import_then_validate(tmp: Path, source_format: str, text: str, *options: str) -> None:
    source = tmp / f"source.{ {'avro': 'avsc', 'sql': 'sql', 'odcs': 'odcs.yaml'}[source_format] }"
    source.write_bytes(text.encode("utf-8", "surrogatepass"))
    imported = tmp / "imported" / "dataproduct.yaml"
    code, _ = run(["import", source_format, source, "-o", imported, *options, "--format", "json"], json_format=True)
    if code == 0:
        assert imported.is_file()
        run(["validate", imported, "--format", "json"], json_format=True)
    else:
        assert not imported.exists()  # nothing half written


@pytest.mark.parametrize("source_format", ["avro", "sql", "odcs"])
def test_import_of_mutated_files(source_format, seeds, tmp_path_factory):
    inputs = {"avro": avro_inputs, "sql": sql_inputs, "odcs": odcs_inputs}[source_format](seeds)
    dialects = st.sampled_from([None, *DIALECTS]) if source_format == "sql" else st.just(None)

    @SETTINGS
    @given(text=inputs, dialect=dialects)
    def check(text, dialect):
        options = ["--dialect", dialect] if dialect else []
        import_then_validate(tmp_path_factory.mktemp(source_format), source_format, text, *options)

    check()
