"""The Avro target: golden files, and every schema checked by fastavro and the official avro
package, with every dataset's examples written and read back through fastavro."""

from __future__ import annotations

import io
import json
import struct
import uuid
import warnings
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.errors import ViolationsFound
from meshgen.mesh.loader import load_mesh
from meshgen.schemas.avro import avro_record
from tests.conftest import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, ROOT, SPECS, copy_source, need_module
from tests.support.golden import case_mesh, case_source, check_golden, diagnostics_text, golden_cases

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize("case", golden_cases("avro"))
def test_golden(case, tmp_path, monkeypatch):
    monkeypatch.setenv("MESHGEN_TODAY", FULL_VOCABULARY_TODAY)
    result = build(case_mesh(case, tmp_path), output=tmp_path / "out", targets=["avro"])
    check_golden("avro", case, tmp_path / "out", diagnostics=diagnostics_text(result.diagnostics, tmp_path / "mesh", ("AVRO",)))


def _plain(value):
    """fastavro returns uuid logical values as UUID objects; the records hold canonical strings."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _as_float32(record, fields):
    """A `float` is 32-bit in Avro: what comes back is the nearest single-precision value."""
    from meshgen.model.types import DataType, Kind
    from meshgen.model.values import map_leaves

    def leaf(v, t):
        return struct.unpack("f", struct.pack("f", v))[0] if t.kind is Kind.FLOAT else v

    return map_leaves(record, DataType(Kind.STRUCT, fields=tuple(fields)), leaf)


def _meshes():
    return [SPECS, FIXTURES / "all_types", FULL_VOCABULARY]


@pytest.mark.parametrize("source", _meshes(), ids=lambda p: p.parent.name if p.is_file() else p.name)
def test_schemas_parse_and_examples_round_trip(source, tmp_path, monkeypatch):
    fastavro = need_module("fastavro")
    avro_schema = need_module("avro.schema")
    monkeypatch.setenv("MESHGEN_TODAY", FULL_VOCABULARY_TODAY)
    source = copy_source(source, tmp_path / "src")
    result = build(source, output=tmp_path / "out", targets=["avro"])
    mesh, _ = load_mesh(source)
    checked = 0
    for pf in mesh.selected_products():
        p = pf.product
        for ds in p.datasets:
            path = tmp_path / "out" / p.domain / p.name / f"v{p.major}" / "avro" / f"{ds.name}.avsc"
            text = path.read_text()
            schema = json.loads(text)
            parsed = fastavro.parse_schema(schema)
            with warnings.catch_warnings():
                # the Python avro package predates local-timestamp-micros and reads it as a long
                warnings.filterwarnings("ignore", message="Unknown local-timestamp")
                avro_schema.parse(text)  # the official implementation agrees
            records = [avro_record(row, ds.fields) for row in ds.examples]
            buf = io.BytesIO()
            fastavro.writer(buf, parsed, records)
            buf.seek(0)
            back = [_plain(r) for r in fastavro.reader(buf)]
            assert back == [_as_float32(r, ds.fields) for r in records]
            checked += 1
    assert checked >= 1
    assert result.written


def test_every_type_of_the_grammar_is_in_the_golden_case():
    from meshgen.model.loader import load_product
    from meshgen.model.models import iter_fields
    from meshgen.model.types import Kind

    pf, _ = load_product(case_source("all_types") / "dataproduct.yaml")
    kinds = {t.kind for ds in pf.product.datasets for f in iter_fields(ds.fields) for t in f.data_type.walk()}
    assert kinds == set(Kind)


def test_optional_fields_are_null_unions_and_required_ones_are_not(tmp_path):
    build(FIXTURES / "all_types", output=tmp_path / "out", targets=["avro"])
    schema = json.loads((tmp_path / "out/testing/all_types/v3/avro/everything.avsc").read_text())
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["id"]["type"] == {"type": "string", "logicalType": "uuid"}
    assert "default" not in fields["id"]
    assert fields["note"]["type"] == ["null", "string"] and fields["note"]["default"] is None
    # a declared default puts its branch first (Avro's rule for union defaults)
    assert fields["big"]["type"] == ["long", "null"] and fields["big"]["default"] == 7
    assert fields["amount"]["type"] == {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}
    assert fields["local_at"]["type"][1]["logicalType"] == "local-timestamp-micros"
    assert fields["created_at"]["type"]["logicalType"] == "timestamp-micros"


def test_defaults_are_readable_by_schema_resolution(tmp_path):
    """Data written without the defaulted fields reads back with the declared defaults."""
    fastavro = need_module("fastavro")
    build(FIXTURES / "all_types", output=tmp_path / "out", targets=["avro"])
    reader = json.loads((tmp_path / "out/testing/all_types/v3/avro/everything.avsc").read_text())
    writer = dict(reader, fields=[f for f in reader["fields"] if f["name"] not in ("big", "discount", "state")])
    buf = io.BytesIO()
    from tests.targets.avro.records import minimal_record

    fastavro.writer(buf, fastavro.parse_schema(writer), [minimal_record()])
    buf.seek(0)
    (row,) = list(fastavro.reader(buf, reader_schema=fastavro.parse_schema(reader)))
    assert row["big"] == 7
    assert row["state"] == "NEW"
    # fastavro hands back a bytes default in its JSON encoding (code points 0-255): the
    # unscaled value of 0.0500 at scale 4 is 500
    raw = row["discount"]
    assert int.from_bytes(raw.encode("latin-1"), "big", signed=True) == 500


HOSTILE = [case_source("hostile"), case_source("odd_strings")]


@pytest.mark.parametrize("source", HOSTILE, ids=["hostile", "odd_strings"])
def test_hostile_strings_give_schemas_both_avro_libraries_accept(source, tmp_path):
    fastavro = need_module("fastavro")
    avro_schema = need_module("avro.schema")
    result = build(source, output=tmp_path / "out", targets=["avro"])
    files = sorted((tmp_path / "out").rglob("*.avsc"))
    assert files and result.written
    for path in files:
        text = path.read_text()
        fastavro.parse_schema(json.loads(text))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Unknown local-timestamp")
            avro_schema.parse(text)


def test_sanitized_names_never_collide(tmp_path):
    """Names that become one Avro name are refused before any target runs (SPEC013); a name Avro
    cannot hold alone is sanitized with a diagnostic and still parses."""
    fastavro = need_module("fastavro")
    (tmp_path / "meshgen.yaml").write_text('governance: {rules: {naming: "off"}}\n')
    product = tmp_path / "dataproduct.yaml"
    head = """apiVersion: meshgen/v1
kind: DataProduct
domain: qa
name: clash
version: 1.0.0
description: {purpose: Names that only differ by punctuation.}
owner: {team: qa, email: qa@example.com}
datasets:
  - name: things
    description: One row.
    primaryKey: [id]
    fields:
      - {name: id, type: int, required: true}
      - {name: "a-b", type: struct, fields: [{name: x, type: int}]}
"""
    product.write_text(head + """      - {name: "a b", type: struct, fields: [{name: x, type: int}]}
      - {name: a_b, type: int}
""")
    with pytest.raises(ViolationsFound) as refused:
        build(product, output=tmp_path / "out", targets=["avro"])
    assert [(d.code, d.location.line, d.location.column) for d in refused.value.diagnostics
            if d.code == "SPEC013"] == [("SPEC013", 15, 16), ("SPEC013", 16, 16)]
    assert not (tmp_path / "out").exists()

    product.write_text(head)
    result = build(product, output=tmp_path / "out", targets=["avro"])
    schema = json.loads((tmp_path / "out/qa/clash/v1/avro/things.avsc").read_text())
    assert [f["name"] for f in schema["fields"]] == ["id", "a_b"]
    fastavro.parse_schema(schema)
    assert {d.code for d in result.diagnostics} >= {"AVRO001"}
