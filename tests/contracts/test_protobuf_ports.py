"""Ports served as Protobuf are judged by proto3's rules as well, with `buf breaking` as the
oracle (issue 9.16): for every evolution below, when buf (WIRE_JSON) rejects the new .proto
against the old one, meshgen says the change breaks readers; and where the proto3 type changes,
it breaks both directions. The same changes on an Avro-served port keep Avro's verdicts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.contracts.changes import BACKWARD, BOTH, FORWARD
from meshgen.contracts.rules import compare
from meshgen.model.loader import load_product
from tests.support.components import npm_bin

HEAD = """apiVersion: meshgen/v1
kind: DataProduct
domain: sensors
name: readings
version: 1.0.0
title: Readings
status: active
description: {purpose: Sensor readings for the oracle test., usage: Read them., limitations: None.}
owner: {team: sensor-team, email: sensors@example.com}
compatibility: none
datasets:
  - name: readings
    description: One row per reading.
    primaryKey: [reading_id]
    fields:
      - {name: reading_id, type: string, required: true, description: Identifier.}
"""
FIELDS = {
    "count": "{name: count, type: int, required: true, description: A count.}",
    "ratio": "{name: ratio, type: float, description: A ratio.}",
    "total": "{name: total, type: long, description: A total.}",
    "ident": "{name: ident, type: uuid, description: An id.}",
    "price": "{name: price, type: 'decimal(10,2)', description: A price.}",
    "status": "{name: status, type: enum, symbols: [OK, FAILED], required: true, description: A status.}",
    "samples": "{name: samples, type: array, items: {type: int}, required: true, description: Samples.}",
}
PORTS = {
    "grpc": "  - {name: readings-grpc, type: grpc, dataset: readings, "
            "url: 'grpc://grpc.example.com:443/sensors.readings.v1.ReadingService'}\n",
    "events-protobuf": "  - {name: readings-events, type: events, dataset: readings, platform: kafka, "
                       "format: protobuf, topic: sensors.readings.v1}\n",
    "events-avro": "  - {name: readings-events, type: events, dataset: readings, platform: kafka, "
                   "format: avro, topic: sensors.readings.v1}\n",
}

# name → the fields after the change (a field's YAML replaced, added or left out)
EVOLUTIONS: dict[str, dict[str, str | None]] = {
    "int_to_long": {"count": "{name: count, type: long, required: true, description: A count.}"},
    "int_to_double": {"count": "{name: count, type: double, required: true, description: A count.}"},
    "long_to_double": {"total": "{name: total, type: double, description: A total.}"},
    "float_to_double": {"ratio": "{name: ratio, type: double, description: A ratio.}"},
    "array_of_int_to_long": {"samples": "{name: samples, type: array, items: {type: long}, required: true, "
                                        "description: Samples.}"},
    "uuid_to_string": {"ident": "{name: ident, type: string, description: An id.}"},
    "decimal_wider": {"price": "{name: price, type: 'decimal(12,2)', description: A price.}"},
    "long_to_int": {"total": "{name: total, type: int, description: A total.}"},
    "field_added": {"note": "{name: note, type: string, description: A note.}"},
    "field_removed": {"ratio": None},
    "enum_symbol_added": {"status": "{name: status, type: enum, symbols: [OK, FAILED, LATE], required: true, "
                                    "description: A status.}"},
    "enum_symbol_removed": {"status": "{name: status, type: enum, symbols: [OK], required: true, "
                                      "description: A status.}"},
    "nullable": {"count": "{name: count, type: int, description: A count.}"},
}


def spec(port: str, change: dict[str, str | None] | None = None) -> str:
    fields = dict(FIELDS)
    for name, text in (change or {}).items():
        if text is None:
            fields.pop(name)
        else:
            fields[name] = text
    body = "".join(f"      - {text}\n" for text in fields.values())
    return HEAD + body + "outputPorts:\n" + PORTS[port]


def evolve(tmp_path: Path, port: str, name: str):
    """Build v1.0.0 and the evolved v1.1.0 in place (the lock file carries the numbers over, as in
    a repository); return the two product files and the two buf module roots."""
    mesh = tmp_path / "mesh"
    product = mesh / "sensors" / "readings" / "v1" / "dataproduct.yaml"
    product.parent.mkdir(parents=True)
    (mesh / "meshgen.yaml").write_text("name: oracle\n", encoding="utf-8")
    product.write_text(spec(port), encoding="utf-8")
    shutil.copy(product, tmp_path / "old.yaml")
    build(mesh, output=tmp_path / "old", targets=["protobuf"])
    product.write_text(spec(port, EVOLUTIONS[name]).replace("version: 1.0.0", "version: 1.1.0"), encoding="utf-8")
    build(mesh, output=tmp_path / "new", targets=["protobuf"])
    old, _ = load_product(tmp_path / "old.yaml")
    new, _ = load_product(product)
    assert old is not None and new is not None
    module = Path("sensors", "readings", "v1", "protobuf")
    return old, new, tmp_path / "old" / module, tmp_path / "new" / module


def broken_directions(old, new) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for change in compare(old, new):
        out |= change.breaks
    return out


def buf_accepts(new_module: Path, old_module: Path) -> tuple[bool, str]:
    done = subprocess.run([str(npm_bin("buf")), "breaking", str(new_module), "--against", str(old_module)],
                          capture_output=True, text=True)
    assert done.returncode in (0, 100), done.stderr  # 100: breaking changes found
    return done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("port", ["grpc", "events-protobuf"])
@pytest.mark.parametrize("name", sorted(EVOLUTIONS))
def test_meshgen_never_calls_compatible_what_buf_rejects(tmp_path, port, name):
    old, new, old_module, new_module = evolve(tmp_path, port, name)
    accepted, said = buf_accepts(new_module, old_module)
    breaks = broken_directions(old, new)
    if not accepted:
        assert breaks, f"{name}: buf breaking rejects it but meshgen finds nothing broken:\n{said}"
    if name in {"int_to_long", "int_to_double", "long_to_double", "float_to_double", "array_of_int_to_long",
                "long_to_int"}:
        assert not accepted, f"{name}: the oracle should reject a change of proto3 scalar type"
        assert breaks == BOTH, f"{name}: a changed proto3 type breaks readers of either version"
    if name in {"uuid_to_string", "decimal_wider"}:
        assert accepted, said  # both are proto3 strings: nothing changes on the wire


def test_buf_reports_the_json_encoding_change(tmp_path):
    """int32 → int64 keeps proto3's binary wire type but changes its JSON (a number becomes a
    string): buf's WIRE_JSON rules, which the generated buf.yaml selects, reject it."""
    _, _, old_module, new_module = evolve(tmp_path, "grpc", "int_to_long")
    accepted, said = buf_accepts(new_module, old_module)
    assert not accepted and "count" in said


@pytest.mark.parametrize("name, expected", [("int_to_long", {FORWARD}), ("float_to_double", {FORWARD}),
                                            ("long_to_int", {BACKWARD})])
def test_an_avro_port_keeps_avro_promotions(tmp_path, name, expected):
    old, new, _, _ = evolve(tmp_path, "events-avro", name)
    assert broken_directions(old, new) == frozenset(expected)
