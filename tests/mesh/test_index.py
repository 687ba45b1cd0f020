"""Issue 14: every build publishes `<out>/_mesh/index.json`, deterministic, of the shape of the
committed JSON Schema (docs/index.schema.json), which the real `jsonschema` validator checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema

from meshgen.mesh.index import index_json_schema
from meshgen.serializer import json_document
from tests.support import ROOT

SCHEMA = ROOT / "docs" / "index.schema.json"


def _validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_the_format_meshgen_reads():
    assert SCHEMA.read_text(encoding="utf-8") == json_document(index_json_schema()), \
        "run: python -m meshgen.mesh.index > docs/index.schema.json"


def test_a_build_publishes_an_index_of_every_product_that_the_schema_accepts(cli, mesh_copy):
    out = mesh_copy / "out"
    result = cli("build", str(mesh_copy), "-t", "avro", "-o", str(out))
    assert result.exit_code == 0, result.output
    index = json.loads((out / "_mesh" / "index.json").read_text(encoding="utf-8"))
    _validator().validate(index)
    manifest = json.loads((out / "meshgen-manifest.json").read_text(encoding="utf-8"))
    assert "_mesh/index.json" in manifest["files"]
    specs = sorted(mesh_copy.rglob("dataproduct.yaml"))
    assert index["indexFormat"] == 1 and index["mesh"] == "acme-mesh"
    addresses = [p["address"] for p in index["products"]]
    assert addresses == sorted(addresses) and len(addresses) == len(specs)
    orders = next(p for p in index["products"] if p["address"] == "data://checkout/orders/v2")
    fields = {f["name"]: f for f in next(d for d in orders["datasets"] if d["name"] == "orders")["fields"]}
    assert fields["order_id"]["required"] is True and fields["order_id"]["type"]
    reader = next(p for p in index["products"] if p["inputPorts"])
    assert all(port["fields"] and port["product"].startswith("data://") for port in reader["inputPorts"])


def test_the_index_is_the_same_bytes_for_every_hash_seed(mesh_copy, tmp_path):
    texts = []
    for seed in ("0", "4242"):
        out = tmp_path / f"out{seed}"
        done = subprocess.run([sys.executable, "-m", "meshgen", "build", str(mesh_copy), "-t", "avro", "-o", str(out)],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stdout + done.stderr
        texts.append((out / "_mesh" / "index.json").read_bytes())
    assert texts[0] == texts[1]


def test_the_schema_rejects_what_meshgen_rejects(cli, mesh_copy):
    out = mesh_copy / "out"
    assert cli("build", str(mesh_copy), "-t", "avro", "-o", str(out)).exit_code == 0
    index = json.loads((out / "_mesh" / "index.json").read_text(encoding="utf-8"))
    validator = _validator()
    for broken in ({**index, "indexFormat": 2}, {k: v for k, v in index.items() if k != "products"},
                   {**index, "products": [{**index["products"][0], "datasets": []}]},
                   {**index, "products": [{**index["products"][0], "owner": {"team": 7}}]}):
        assert list(validator.iter_errors(broken)), broken
