"""meshgen's own ODCS contracts (the odcs target: one per output port) import back as an
equivalent spec on every product of the example mesh (tests/importers/equivalence.py says what
ODCS carries)."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshgen import api
from meshgen.model.loader import load_product
from tests.importers.conftest import products_of
from tests.importers.equivalence import odcs_view
from tests.support import SPECS, copy_source

PRODUCTS = [p.relative_to(SPECS).parent for p in products_of(SPECS)]


@pytest.fixture(scope="module")
def odcs_mesh(tmp_path_factory) -> tuple[Path, Path]:
    mesh = copy_source(SPECS, tmp_path_factory.mktemp("odcs-mesh"))
    out = mesh.parent / "out"
    api.build(mesh, output=out, targets=["odcs"])
    return mesh, out


@pytest.mark.parametrize("product", PRODUCTS, ids=str)
def test_meshgen_odcs_contracts_import_back_as_an_equivalent_spec(odcs_mesh, product, tmp_path):
    mesh, out = odcs_mesh
    original, _ = load_product(mesh / product / "dataproduct.yaml")
    ports = [port.name for port in original.product.outputPorts]
    files = sorted((out / product / "odcs").glob("*.odcs.yaml"), key=lambda f: ports.index(f.name.split(".")[0]))
    assert files
    result = api.import_product("odcs", files, output=tmp_path / "dataproduct.yaml")
    imported, diagnostics = load_product(tmp_path / "dataproduct.yaml")
    assert imported is not None, diagnostics
    served = {port.dataset for port in original.product.outputPorts}
    assert odcs_view(imported.product) == odcs_view(original.product, served)
    assert [d for d in result.diagnostics] == []  # meshgen's own contracts lose nothing
