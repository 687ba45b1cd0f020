"""Real files from other projects (../shared/interop odcs, avro, sql): each imports without a traceback, as a
spec that validates against meshgen/v1 and that `meshgen build` compiles (integration: the
folder is beside the clone locally when present, and always in CI)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import SHARED, need_shared, need_module

INTEROP = SHARED / "interop"
# Governance stays on, as warnings: an imported product has placeholders to replace and names
# as its source wrote them, and this test is about the import compiling, not about policy.
RELAXED = """name: interop
governance:
  rules: {naming: warning, documentation: warning, ownership: warning, modeling: warning, pii: warning,
          slo: warning, lifecycle: warning, catalog: warning}
"""
SQL_DIALECTS = {"postgres": "postgres", "snowflake": "snowflake", "sqlserver": "tsql"}


def _files(kind: str) -> list[Path]:
    folder = INTEROP / kind
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _dialect(path: Path) -> str:
    return next(d for word, d in SQL_DIALECTS.items() if word in path.name)


def _meshgen(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "meshgen", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def _import(kind: str, source: Path, mesh: Path, *extra: str) -> list[dict]:
    """Import `source` as its own product of `mesh`; the findings (JSON)."""
    target = mesh / kind / source.name.split(".")[0] / "dataproduct.yaml"
    name = re.sub(r"[^a-z0-9]+", "_", source.name.split(".")[0].lower()).strip("_")
    imported = _meshgen("import", kind, source, "-o", target, "--format", "json", "--domain", f"interop_{kind}",
                        "--name", name, *extra, cwd=mesh)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert "Traceback" not in imported.stderr
    findings = json.loads(imported.stdout or "[]")
    for finding in findings:
        assert finding["file"].endswith(source.name) and finding["line"] >= 1, finding
    return findings


@pytest.fixture(scope="module")
def mesh(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("interop") / "mesh"
    root.mkdir()
    (root / "meshgen.yaml").write_text(RELAXED, encoding="utf-8")
    return root


def test_the_interop_folders_are_there():
    need_shared(INTEROP, "the interop corpus")
    assert _files("avro") and _files("sql") and _files("odcs")


@pytest.mark.parametrize("source", _files("odcs"), ids=lambda p: p.name)
def test_every_interop_odcs_contract_imports(source, mesh):
    from meshgen.load.yaml_source import load_yaml

    if not load_yaml(source).data.get("schema"):  # a contract of SLAs only: nothing to import, said so
        run = _meshgen("import", "odcs", source, "--format", "json", cwd=mesh)
        assert run.returncode == 2 and "Traceback" not in run.stderr
        assert [d["code"] for d in json.loads(run.stdout) if d["severity"] == "error"] == ["IMP008"]
        return
    _import("odcs", source, mesh)


@pytest.mark.parametrize("source", _files("avro"), ids=lambda p: p.name)
def test_every_interop_avro_schema_imports(source, mesh):
    _import("avro", source, mesh)


@pytest.mark.parametrize("source", _files("sql"), ids=lambda p: p.name)
def test_every_interop_sql_script_imports(source, mesh):
    need_module("sqlglot")
    _import("sql", source, mesh, "--dialect", _dialect(source))


def test_the_imported_products_validate_and_build(mesh):
    """After every import above: one mesh of them all, validated and built with every target."""
    need_shared(INTEROP, "the interop corpus")
    products = sorted(mesh.rglob("dataproduct.yaml"))
    assert len(products) >= len(_files("avro")) + len(_files("sql")) + len(_files("odcs")) - 1
    validated = _meshgen("validate", mesh, "--format", "json", cwd=mesh)
    errors = [d for d in json.loads(validated.stdout or "[]") if d["severity"] == "error"]
    assert errors == [] and validated.returncode == 0, validated.stdout + validated.stderr
    built = _meshgen("build", mesh, "-q", cwd=mesh)
    assert built.returncode == 0, built.stdout + built.stderr
    manifest = json.loads((mesh / "build" / "meshgen-manifest.json").read_text())
    built_products = {unit.split("@", 1)[1] for unit in manifest["units"] if "@data://" in unit}
    assert len(built_products) == len(products)
