"""The example mesh built once per session with the targets the round trips import back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import SPECS, copy_source


@pytest.fixture(scope="session")
def built_mesh(tmp_path_factory) -> tuple[Path, Path]:
    """(the mesh copy, its build output) with the avro and sql targets."""
    from meshgen import api

    mesh = copy_source(SPECS, tmp_path_factory.mktemp("import-mesh"))
    out = mesh.parent / "out"
    api.build(mesh, output=out, targets=["avro", "sql"])
    return mesh, out


def products_of(mesh: Path) -> list[Path]:
    return sorted(mesh.rglob("dataproduct.yaml"))
