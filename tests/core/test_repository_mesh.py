"""The repository root is a mesh of the example products only (meshgen.yaml at the root):
`meshgen build .` in a fresh clone builds specs/, never the test fixtures."""

from __future__ import annotations

import json
import subprocess
import sys

from meshgen.mesh.loader import load_mesh
from tests.conftest import ROOT, SPECS


def test_the_repository_mesh_holds_the_example_products_and_no_fixture():
    mesh, _ = load_mesh(ROOT)
    paths = {pf.path.resolve() for pf in mesh.products}
    assert {p.resolve() for p in SPECS.rglob("dataproduct.yaml") if "build" not in p.parts} <= paths
    assert not [p for p in paths if {"tests", "examples"} & set(p.relative_to(ROOT).parts[:1])]


def test_meshgen_build_dot_at_the_root_builds_the_example_mesh_clean(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "meshgen", "build", ".", "-o", str(tmp_path / "out"),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    diagnostics = json.loads(proc.stdout)
    assert [d for d in diagnostics if d["severity"] == "error"] == []
    assert not [d for d in diagnostics if d["file"].split("/")[0] in ("tests", "examples")]
    built = {p.name for p in (tmp_path / "out").iterdir() if p.is_dir()}
    domains = {p.name for p in SPECS.iterdir() if p.is_dir() and p.name != "build"}
    assert domains | {"_mesh"} <= built  # _mesh: the mesh-wide artifacts (dbt)
    fixture_domains = {line.split(":", 1)[1].strip() for f in (ROOT / "tests").rglob("dataproduct.yaml")
                       for line in f.read_text(encoding="utf-8").splitlines() if line.startswith("domain:")}
    assert not (fixture_domains - domains) & built
