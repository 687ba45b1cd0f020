"""Issue 9.6: personal and classified data stays marked in every format a consumer reads —
Avro field properties, JSON Schema / OpenAPI `x-` keywords, proto `debug_redact` plus comment,
pydantic `json_schema_extra` — and every OpenAPI document says how callers authenticate."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from meshgen.api import build
from meshgen.model.models import iter_fields

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ["avro", "jsonschema", "openapi", "asyncapi", "protobuf", "schema-registry"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("privacy")
    shutil.copytree(ROOT / "specs", tmp / "mesh", ignore=shutil.ignore_patterns("build"))
    targets = list(TARGETS)
    try:
        import datamodel_code_generator  # noqa: F401
        targets.append("pydantic")
    except ImportError:
        pass
    return build(tmp / "mesh", output=tmp / "out", targets=targets), tmp / "out"


def _marked(built):
    """(product folder, dataset, top-level field) of every field with pii or a classification."""
    result, out = built
    found = []
    for pf in result.mesh.products:
        p = pf.product
        for ds in p.datasets:
            for f in ds.fields:
                if f.pii or f.classification:
                    found.append((out / p.domain / p.name / f"v{p.major}", ds, f))
    assert any(f.classification == "restricted" for _, _, f in found)  # the example mesh has them all
    return found


def _expected(f) -> dict:
    out = {"classification": f.classification or "confidential"}
    if f.pii:
        out["pii"] = True
    if f.protection:
        out["protection"] = f.protection
    return out


def test_avro_fields_carry_the_classification(built):
    for folder, ds, f in _marked(built):
        schema = json.loads((folder / "avro" / f"{ds.name}.avsc").read_text())
        [field] = [x for x in schema["fields"] if x["name"] == f.name]
        assert {k: field[k] for k in _expected(f)} == _expected(f), (folder, f.name)


def test_json_schema_and_openapi_carry_x_keywords(built):
    for folder, ds, f in _marked(built):
        schema = json.loads((folder / "jsonschema" / f"{ds.name}.schema.json").read_text())
        prop = schema["properties"][f.name]
        assert {k: prop.get("x-" + k) for k in _expected(f)} == _expected(f), (folder, f.name)
        for doc_path in (folder / "openapi").glob("*.json") if (folder / "openapi").exists() else ():
            doc = json.loads(doc_path.read_text())
            for record in doc["components"]["schemas"].values():
                if f.name in record.get("properties", {}) and record.get("title") == schema["title"]:
                    assert record["properties"][f.name]["x-classification"] == _expected(f)["classification"]


def test_proto_fields_are_redacted_and_commented(built):
    for folder, ds, f in _marked(built):
        text = next((folder / "protobuf").rglob(f"{ds.name}.proto")).read_text()
        line = next(l for l in text.splitlines() if re.search(rf"\b{re.escape(f.name)} = \d+", l))
        assert "debug_redact = true" in line, line
        comment = text.splitlines()[text.splitlines().index(line) - 1]
        assert f"classification {_expected(f)['classification']}" in comment, comment


def test_pydantic_fields_carry_the_classification(built):
    result, out = built
    if not any(out.rglob("pydantic")):
        pytest.importorskip("datamodel_code_generator")
    for folder, ds, f in _marked(built):
        code = (folder / "pydantic" / f"{ds.name}.py").read_text()
        namespace: dict = {}
        exec(compile(code, "models.py", "exec"), namespace)  # our own generated file, in the test only
        models = [v for v in namespace.values() if isinstance(v, type) and f.name in getattr(v, "model_fields", {})]
        assert models, (folder, f.name)
        extra = models[0].model_fields[f.name].json_schema_extra
        assert {k: extra.get("x-" + k) for k in _expected(f)} == _expected(f)


def test_every_openapi_document_requires_authentication(built):
    result, out = built
    docs = sorted(out.rglob("openapi/*.json"))
    assert docs
    for path in docs:
        doc = json.loads(path.read_text())
        schemes = doc["components"]["securitySchemes"]
        assert schemes and doc["security"] and all(next(iter(s)) in schemes for s in doc["security"])
        for item in doc["paths"].values():
            for op in item.values():
                assert {"401", "403"} <= set(op["responses"]), (path, op["operationId"])
