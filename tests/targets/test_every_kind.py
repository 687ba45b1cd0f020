"""Every target maps every kind of the type grammar: one product with a field of each kind,
served by a port of every type, builds with each built-in target alone, and each target that
writes a schema names every field of every kind. A new kind fails here, not in a user's build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.model.types import Kind
from meshgen.targets import builtin_targets
from tests.support.paths import ROOT

ALL_TYPES = ROOT / "tests" / "fixtures" / "all_types"
EXTRA_PORTS = """  - {name: everything-files, type: files, dataset: everything, platform: s3, format: parquet, location: 's3://lake/testing/all_types/v3/'}
  - {name: everything-rest, type: rest, dataset: everything, url: 'https://api.example.com/testing/all-types/v3'}
  - {name: everything-grpc, type: grpc, dataset: everything, url: 'grpc://grpc.example.com:443/testing.all_types.v3.EverythingService'}
"""
# Targets whose files describe the fields (the others schedule jobs or list checks).
SCHEMA_TARGETS = {"avro", "jsonschema", "protobuf", "pydantic", "openapi", "asyncapi", "schema-registry", "sql", "dbt",
                  "odcs", "openmetadata"}


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Path:
    mesh = tmp_path_factory.mktemp("every_kind") / "mesh"
    shutil.copytree(ALL_TYPES, mesh / "testing" / "all_types")
    (mesh / "meshgen.yaml").write_text((ALL_TYPES / "meshgen.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (mesh / "testing" / "all_types" / "meshgen.yaml").unlink()
    product = mesh / "testing" / "all_types" / "dataproduct.yaml"
    product.write_text(product.read_text(encoding="utf-8") + EXTRA_PORTS, encoding="utf-8")
    return mesh


def _fields_by_kind(mesh: Path) -> dict[Kind, list[str]]:
    from meshgen.api import check

    [pf] = check(mesh).mesh.products
    out: dict[Kind, list[str]] = {}
    for ds in pf.product.datasets:
        for f in ds.fields:
            out.setdefault(f.data_type.kind, []).append(f.name)
    return out


def test_the_product_has_every_kind_and_every_port_type(mesh):
    from meshgen.api import check

    assert set(_fields_by_kind(mesh)) == set(Kind)
    [pf] = check(mesh).mesh.products
    assert {p.type for p in pf.product.outputPorts} == {"events", "table", "files", "rest", "grpc"}


@pytest.mark.parametrize("target", sorted(builtin_targets()))
def test_every_target_builds_every_kind(mesh, tmp_path, target):
    out = tmp_path / "out"
    build(mesh, output=out, targets=[target])
    written = [p for p in out.rglob("*") if p.is_file() and p.name != "meshgen-manifest.json"]
    assert written, f"{target} wrote nothing for a product with every kind and every port type"
    if target in SCHEMA_TARGETS:
        text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in written)
        missing = {kind.value: names for kind, names in _fields_by_kind(mesh).items()
                   if not any(name in text for name in names)}
        assert not missing, f"{target} names no field of these kinds: {missing}"
