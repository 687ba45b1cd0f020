"""The openmetadata target: golden files for the catalog case (hostile names and strings, every
port kind, options, site_url), and every body of the example mesh, the full-vocabulary product and
the case validated by OpenMetadata's own code (its Create*Request models, its FQN builder and its
Avro parser) in one run of validate_bodies.py inside the openmetadata tool venv."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from meshgen.api import build
from tests.support import FULL_VOCABULARY, FULL_VOCABULARY_TODAY, copy_source, tool_bin
from tests.support.golden import case_source, check_golden, diagnostics_text, golden_cases
from tests.targets.jsonschema.meshes import build_copy, build_specs

HERE = Path(__file__).parent
CASE = case_source("catalog")
VALIDATOR = HERE / "validate_bodies.py"
ENDPOINTS = {"/api/v1/classifications", "/api/v1/tags", "/api/v1/domains", "/api/v1/services/databaseServices",
             "/api/v1/services/messagingServices", "/api/v1/databases", "/api/v1/databaseSchemas",
             "/api/v1/dataProducts", "/api/v1/tables", "/api/v1/topics"}


@pytest.mark.parametrize("case", golden_cases("openmetadata"))
def test_golden(case, tmp_path):
    built = build_copy(case_source(case), tmp_path / "build", ["openmetadata"])
    check_golden("openmetadata", case, built.out, diagnostics=diagnostics_text(built.result.diagnostics, built.mesh, ("OM0",)),
                 keep=lambda rel: "openmetadata" in rel.parts)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The example mesh, the full-vocabulary product and the catalog case, built with openmetadata."""
    tmp = tmp_path_factory.mktemp("openmetadata")
    specs = build_specs(tmp / "specs", ["openmetadata"])
    case = build_copy(CASE, tmp / "case", ["openmetadata"])
    product = copy_source(FULL_VOCABULARY, tmp / "full")
    old = os.environ.get("MESHGEN_TODAY")
    os.environ["MESHGEN_TODAY"] = FULL_VOCABULARY_TODAY
    try:
        build(product, output=tmp / "full-out", targets=["openmetadata"])
    finally:
        os.environ.pop("MESHGEN_TODAY") if old is None else os.environ.__setitem__("MESHGEN_TODAY", old)
    return {"specs": specs.out, "case": case.out, "full": tmp / "full-out", "built": case}


def test_every_body_validates_with_openmetadatas_models(outputs):
    python = tool_bin("openmetadata", "python")
    folders = [str(outputs[k]) for k in ("specs", "full", "case")]
    proc = subprocess.run([str(python), str(VALIDATOR), *folders], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["problems"] == []
    assert set(report["checked"]) == ENDPOINTS  # every kind of request was checked
    indexes = [p for k in ("specs", "full", "case") for p in Path(outputs[k]).rglob("openmetadata/requests.json")]
    assert sum(report["checked"].values()) == sum(len(json.loads(p.read_text())["requests"]) for p in indexes)


def test_the_validator_rejects_a_broken_body(outputs, tmp_path):
    """The validation could fail: a column without its type, and a table naming a schema no request creates."""
    python = tool_bin("openmetadata", "python")
    source = Path(outputs["case"]) / "qa/hostile/v1/openmetadata"
    broken = tmp_path / "broken" / "openmetadata"
    shutil.copytree(source, broken)
    index = json.loads((broken / "requests.json").read_text())
    table = next(r for r in index["requests"] if r["path"] == "/api/v1/tables")
    body = json.loads((broken / table["body"]).read_text())
    del body["columns"][0]["dataType"]
    (broken / table["body"]).write_text(json.dumps(body))
    index["requests"] = [r for r in index["requests"] if r["path"] != "/api/v1/databaseSchemas"]
    (broken / "requests.json").write_text(json.dumps(index))
    proc = subprocess.run([str(python), str(VALIDATOR), str(broken.parent)], capture_output=True, text=True, timeout=900)
    problems = json.loads(proc.stdout.strip().splitlines()[-1])["problems"]
    assert any("dataType" in p and "Field required" in p for p in problems), problems
    assert any("which no earlier request creates" in p for p in problems), problems


def _requests(out: Path, product: str) -> list[tuple[dict, dict]]:
    folder = out / product / "openmetadata"
    index = json.loads((folder / "requests.json").read_text(encoding="utf-8"))
    return [(r, json.loads((folder / r["body"]).read_text(encoding="utf-8"))) for r in index["requests"]]


def test_tables_use_the_sql_targets_qualified_names_and_hostile_strings_survive(outputs):
    from meshgen.targets.sql import table_name

    built = outputs["built"]
    pf = next(p for p in built.result.mesh.products if p.product.name == "hostile")
    ds = pf.product.datasets[0]
    tables = {r["fqn"]: body for r, body in _requests(outputs["case"], "qa/hostile/v1") if r["path"] == "/api/v1/tables"}
    assert table_name(pf, ds, "snowflake") == "ANALYTICS.QA.ODD_RECORDS"
    assert set(tables) == {"snowflake_prod.ANALYTICS.QA.ODD_RECORDS", 'postgres.default.qa."hostile__odd.records_v1"',
                           'duckdb.default.qa."hostile__odd.records_v1"', 'bigquery.default.qa."hostile__odd.records_v1"'}
    body = tables["snowflake_prod.ANALYTICS.QA.ODD_RECORDS"]
    assert body["description"] == ds.description  # \r\n, quotes, backslashes, */ and -- byte for byte
    assert [c["name"] for c in body["columns"][:3]] == [
        "id", "a__reserved__colon__b", "__reserved__quote__quoted__reserved__quote__ __reserved__arrow__ name"]
    assert body["tableConstraints"] == [
        {"constraintType": "PRIMARY_KEY", "columns": ["id", "a__reserved__colon__b"]},
        {"constraintType": "UNIQUE", "columns": ["__reserved__quote__quoted__reserved__quote__ __reserved__arrow__ name"]}]
    assert body["sourceUrl"] == "https://data.example.com/mesh/products/qa/hostile/v1/"
    (product,) = [b for r, b in _requests(outputs["case"], "qa/hostile/v1") if r["path"] == "/api/v1/dataProducts"]
    assert product["displayName"] == pf.product.title
    assert pf.product.description.purpose in product["description"]


def test_without_site_url_no_link_is_written(outputs):
    for _, body in _requests(outputs["specs"], "checkout/orders/v1"):
        assert "sourceUrl" not in body
        assert "Documentation:" not in body.get("description", "")


def test_same_bytes_for_every_hash_seed(tmp_path):
    trees = []
    mesh = copy_source(CASE, tmp_path / "src")
    for seed in ("0", "4242"):
        out = tmp_path / seed
        proc = subprocess.run([sys.executable, "-m", "meshgen", "build", str(mesh), "-o", str(out), "-t", "openmetadata"],
                              env=dict(os.environ, PYTHONHASHSEED=seed), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()})
    assert trees[0] == trees[1]
    assert len(trees[0]) > 20
