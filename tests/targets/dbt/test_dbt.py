"""The dbt target, checked by dbt itself: a project is generated around the model properties,
with stub models that select each dataset's examples from DuckDB tables created by the `sql`
target's DDL. `dbt parse` must accept it, and `dbt build` (dbt-duckdb) must pass with the
contracts enforced — and fail when a contract does not match the data."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from meshgen.dialects import DuckDB
from meshgen.targets.sql import table_name
from tests.conftest import ROOT, need, need_module, tool_venv
from tests.targets.sql.meshes import (
    build_for_validation,
    duckdb_value,
    example_rows,
    insert_sql,
)

DBT = tool_venv("dbt") / "bin" / "dbt"


def make_project(built, project: Path) -> None:
    """dbt_project.yml, a DuckDB profile attaching one example database per product, the
    generated model properties, and one stub SQL model per model (version)."""
    duckdb = need_module("duckdb")
    d = DuckDB()
    project.mkdir(parents=True)
    tables: dict[tuple[str, str], str] = {}
    attach = []
    for i, pf in enumerate(built.mesh.products):
        p = pf.product
        db = project / f"examples_{i}.duckdb"
        con = duckdb.connect(str(db))
        for ds in p.datasets:
            con.execute((built.out / p.domain / p.name / f"v{p.major}" / "sql" / "duckdb" / f"{ds.name}.sql")
                        .read_text(encoding="utf-8"))
            for raw, values in example_rows(ds):
                con.execute(insert_sql(d, pf, ds, "?"), [duckdb_value(values[f.name], f.data_type) for f in ds.fields])
            tables[(p.address, ds.name)] = f"ex{i}.{table_name(pf, ds, 'duckdb')}"
        con.close()
        attach.append(f"        - {{path: '{db}', alias: ex{i}, read_only: true}}")
    (project / "dbt_project.yml").write_text(
        "name: meshgen_check\nversion: '1.0.0'\nconfig-version: 2\nprofile: meshgen_check\n"
        "model-paths: [models]\nmodels:\n  +materialized: table\n", encoding="utf-8")
    (project / "profiles.yml").write_text(
        "meshgen_check:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: '{project / 'dev.duckdb'}'\n      threads: 1\n      attach:\n" + "\n".join(attach) + "\n",
        encoding="utf-8")
    yaml = YAML(typ="safe", pure=True)
    models = project / "models"
    for src in sorted((built.out / "_mesh" / "dbt" / "models").rglob("*.yml")):
        dest = models / src.relative_to(built.out / "_mesh" / "dbt" / "models")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
        for model in yaml.load(src.read_text(encoding="utf-8"))["models"]:
            dataset = model["config"]["meta"]["meshgen"]["dataset"]
            if "versions" in model:
                for version in model["versions"]:
                    address = version["config"]["meta"]["meshgen"]["address"]
                    (dest.parent / f"{model['name']}_v{version['v']}.sql").write_text(
                        f"select * from {tables[(address, dataset)]}\n", encoding="utf-8")
            else:
                address = model["config"]["meta"]["meshgen"]["address"]
                (dest.parent / f"{model['name']}.sql").write_text(
                    f"select * from {tables[(address, dataset)]}\n", encoding="utf-8")


def dbt(project: Path, *args: str) -> subprocess.CompletedProcess:
    need(DBT.exists(), f"dbt in {DBT.parent.parent} (scripts/setup-test-env.sh creates it)")
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run([str(DBT), *args, "--profiles-dir", str(project), "--project-dir", str(project)],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.integration
@pytest.mark.parametrize("source", ["specs", "versions"])
def test_dbt_parse_with_each_products_warehouse(source, tmp_path):
    built = build_for_validation(source, tmp_path, warehouse=None)
    make_project(built, tmp_path / "project")
    result = dbt(tmp_path / "project", "parse")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
@pytest.mark.parametrize("source", ["specs", "all_types", "odd_strings", "versions"])
def test_dbt_build_enforces_contracts_on_duckdb(source, tmp_path):
    built = build_for_validation(source, tmp_path, warehouse="duckdb")
    make_project(built, tmp_path / "project")
    result = dbt(tmp_path / "project", "build")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "ERROR=0" in output and "PASS=" in output
    manifest = json.loads((tmp_path / "project" / "target" / "manifest.json").read_text(encoding="utf-8"))
    models = {n["name"] + (f".v{n['version']}" if n.get("version") else ""): n
              for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert models and all(n["config"]["contract"]["enforced"] for n in models.values())
    datasets = sum(len(pf.product.datasets) for pf in built.mesh.products)
    assert len(models) == datasets  # one model (version) per dataset of every product version
    if source == "versions":
        assert {"orders.v1", "orders.v2", "orders__order_lines"} <= set(models)
        assert models["orders.v1"]["deprecation_date"].startswith("2027-06-30")
        assert models["orders.v2"]["latest_version"] == 2


@pytest.mark.integration
def test_dbt_build_fails_when_the_contract_does_not_match(tmp_path):
    built = build_for_validation("versions", tmp_path, warehouse="duckdb")
    project = tmp_path / "project"
    make_project(built, project)
    properties = project / "models" / "shop" / "orders.yml"
    text = properties.read_text(encoding="utf-8")
    assert "data_type: DECIMAL(12,2)" in text
    properties.write_text(text.replace("data_type: DECIMAL(12,2)", "data_type: INTEGER", 1), encoding="utf-8")
    result = dbt(project, "build")
    assert result.returncode != 0
    assert "contract" in (result.stdout + result.stderr).lower()


@pytest.mark.integration
def test_dbt_build_refuses_rows_that_break_a_check_constraint(tmp_path):
    """minimum, maxLength, minLength and pattern are `check` constraints of the contract: on
    DuckDB a model whose rows break one fails to build."""
    built = build_for_validation("all_types", tmp_path, warehouse="duckdb")
    project = tmp_path / "project"
    make_project(built, project)
    properties = next((project / "models").rglob("*.yml")).read_text(encoding="utf-8")
    assert "expression: regexp_matches(label, '^[a-z]+$')" in properties
    stub = next(p for p in (project / "models").rglob("*.sql"))
    select = stub.read_text(encoding="utf-8")
    stub.write_text(select.replace("select *", "select * replace ('NOT LOWER' as label)", 1), encoding="utf-8")
    result = dbt(project, "build")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "CHECK constraint" in output
