"""`meshgen import sql`: meshgen's own DDL imports back as an equivalent spec in every dialect
it was written for (every product of the example mesh), positioned warnings, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meshgen import api
from meshgen.model.loader import load_product
from tests.importers.conftest import products_of
from tests.importers.equivalence import sql_view
from tests.support import SPECS, need_module

PRODUCTS = [p.relative_to(SPECS).parent for p in products_of(SPECS)]


def _dialect_folders(out: Path, product: Path) -> list[Path]:
    return sorted(p for p in (out / product / "sql").iterdir() if p.is_dir())


@pytest.mark.parametrize("product", PRODUCTS, ids=str)
def test_meshgen_sql_imports_back_as_an_equivalent_spec_in_each_dialect(built_mesh, product, tmp_path):
    need_module("sqlglot")
    mesh, out = built_mesh
    original, _ = load_product(mesh / product / "dataproduct.yaml")
    order = [ds.name for ds in original.product.datasets]
    folders = _dialect_folders(out, product)
    assert folders
    for folder in folders:
        files = sorted(folder.glob("*.sql"), key=lambda f: order.index(f.stem))
        target = tmp_path / folder.name / "dataproduct.yaml"
        result = api.import_product("sql", files, output=target, dialect=folder.name)
        imported, diagnostics = load_product(target)
        assert imported is not None, diagnostics
        assert sql_view(imported.product, folder.name) == sql_view(original.product, folder.name), folder.name
        assert all(d.location.file.endswith(".sql") for d in result.diagnostics)
        # the header names the product; the table port says where the table is
        assert [p["platform"] for p in result.product["outputPorts"]] == [folder.name] * len(files)


def test_positions_point_at_the_column_and_clause_in_the_source(tmp_path):
    need_module("sqlglot")
    source = tmp_path / "ddl.sql"
    source.write_text("CREATE TABLE sales.leads (\n"
                      "  id BIGINT PRIMARY KEY,\n"
                      "  shape GEOGRAPHY,\n"
                      "  email VARCHAR(320) NOT NULL COLLATE \"C\"\n"
                      ");\n"
                      "GRANT SELECT ON sales.leads TO analyst;\n", encoding="utf-8")
    result = api.import_product("sql", [source], dialect="postgres")
    found = {(d.code, d.location.line, d.location.column) for d in result.diagnostics}
    assert ("IMP003", 3, 3) in found  # GEOGRAPHY: no meshgen type
    assert ("IMP002", 4, 3) in found  # COLLATE: no place in the spec
    assert ("IMP007", 6, 1) in found  # GRANT: not a table
    ds = result.product["datasets"][0]
    assert ds["primaryKey"] == ["id"]
    assert {f["name"]: (f["type"], f.get("required", False)) for f in ds["fields"]} == {
        "id": ("long", True), "shape": ("string", False), "email": ("string", True)}
    assert ds["fields"][2]["maxLength"] == 320
    assert result.product["domain"] == "sales"
    assert result.product["outputPorts"][0]["location"] == "sales.leads"


def test_a_statement_sqlglot_cannot_parse_is_skipped_and_the_rest_imports(tmp_path):
    need_module("sqlglot")
    source = tmp_path / "two.sql"
    source.write_text("CREATE TABLE a (x INT);\nCREATE TABLE ((( broken;\nCREATE TABLE b (y TEXT);\n", encoding="utf-8")
    result = api.import_product("sql", [source], dialect="postgres", domain="d", name="n")
    assert [ds["name"] for ds in result.product["datasets"]] == ["a", "b"]
    assert [(d.code, d.location.line) for d in result.diagnostics if d.code == "IMP007"] == [("IMP007", 2)]


@pytest.mark.parametrize("text, code", [
    ("SELECT 1;\n", "IMP008"),
    ("CREATE TABLE t (x 'unterminated\n", "IMP001"),
])
def test_nothing_to_import_or_not_sql_is_a_clear_error(cli, tmp_path, text, code):
    need_module("sqlglot")
    source = tmp_path / "bad.sql"
    source.write_text(text, encoding="utf-8")
    result = cli("import", "sql", source, "--dialect", "postgres", "--format", "json")
    assert result.exit_code == 2, result.output
    assert code in {d["code"] for d in json.loads(result.output)}


def test_a_dialect_is_needed_and_must_exist(cli, tmp_path):
    need_module("sqlglot")
    source = tmp_path / "t.sql"
    source.write_text("CREATE TABLE t (x INT);\n", encoding="utf-8")
    assert cli("import", "sql", source).exit_code == 2
    unknown = cli("import", "sql", source, "--dialect", "nosuchsql")
    assert unknown.exit_code == 2 and "nosuchsql" in unknown.output


def test_without_sqlglot_the_command_says_how_to_install_it(tmp_path):
    import subprocess
    import sys

    source = tmp_path / "t.sql"
    source.write_text("CREATE TABLE t (x INT);\n", encoding="utf-8")
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "sqlglot.py").write_text("raise ImportError('sqlglot is not installed here')\n")
    import os

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(blocker), *filter(None, [os.environ.get("PYTHONPATH")])])}
    run = subprocess.run([sys.executable, "-m", "meshgen", "import", "sql", str(source), "--dialect", "postgres"],
                         capture_output=True, text=True, env=env)
    assert run.returncode == 2, run.stderr
    assert "pip install 'meshgen[import]'" in run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
