"""The dagster target, judged by Dagster itself (its own venv): `dagster definitions validate`
loads the mesh's Definitions, the asset graph is the mesh (an asset per dataset, deps on the
input ports' products), every quality check is an asset check, the build stub raises, and
hostile strings arrive byte for byte in the metadata, executing nothing."""

from __future__ import annotations

import subprocess

from tests.conftest import SPECS, tool_bin
from tests.targets.orchestration import build_mesh, hostile_mesh, hostile_texts, python_is_clean, run_in

GRAPH = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import importlib.util
spec = importlib.util.spec_from_file_location("mesh_definitions", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
defs = module.defs
graph = defs.resolve_asset_graph()
out = {"assets": {}, "checks": [], "schedules": [], "sensors": []}
for key in graph.get_all_asset_keys():
    node = graph.get(key)
    if not node.is_materializable:
        continue
    out["assets"]["/".join(key.path)] = {
        "deps": sorted("/".join(k.path) for k in node.parent_keys),
        "owners": list(node.owners), "description": node.description,
        "metadata": {k: (v.value if hasattr(v, "value") else v) for k, v in node.metadata.items()},
        "tags": dict(node.tags),
    }
out["checks"] = sorted("/".join(k.asset_key.path) + ":" + k.name for k in graph.asset_check_keys)
out["schedules"] = sorted(s.name for s in defs.schedules or [])
out["sensors"] = sorted(s.name for s in defs.sensors or [])
asset = next(a for a in defs.assets if hasattr(a, "op"))
try:
    asset.op.compute_fn.decorated_fn()
    out["raised"] = None
except NotImplementedError as exc:
    out["raised"] = str(exc)
print(json.dumps(out, default=str))
"""


def _validate(tmp_path, definitions):
    dagster = tool_bin("dagster", "dagster")
    done = subprocess.run([str(dagster), "definitions", "validate", "-f", str(definitions)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=600, env={"DAGSTER_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_mesh_definitions_validate_and_the_asset_graph_is_the_mesh(tmp_path):
    from meshgen.mesh.loader import load_mesh
    from meshgen.targets.quality_checks import product_checks

    out = build_mesh(SPECS, tmp_path / "out", ["dagster"])
    python_is_clean(sorted(out.rglob("*.py")))
    definitions = out / "_mesh/dagster/definitions.py"
    _validate(tmp_path, definitions)
    graph = run_in(tool_bin("dagster", "python"), GRAPH, str(definitions), cwd=tmp_path)
    mesh, _ = load_mesh(SPECS)

    def key(address, dataset):
        d, n, v = address.removeprefix("data://").split("/")
        return f"{d}__{n}__{v}/{dataset}"

    expected = {key(pf.product.address, ds.name): sorted({key(i.product, i.dataset) for i in pf.product.inputPorts})
                for pf in mesh.products for ds in pf.product.datasets}
    assert {k: v["deps"] for k, v in graph["assets"].items()} == expected
    checks = set(graph["checks"])
    for pf in mesh.products:
        for c in product_checks(pf)[0]:
            asset = key(pf.product.address, c.dataset)
            if c.kind == "freshness":
                assert any(x.startswith(asset + ":") and "fresh" in x for x in checks), asset
            else:
                assert f"{asset}:{c.id.replace('.', '_')}" in checks
    orders = graph["assets"]["checkout__orders__v1/orders"]
    assert set(orders["owners"]) == {"team:checkout-team", "checkout-data@example.com"}
    assert orders["metadata"]["address"] == "data://checkout/orders/v1" and orders["metadata"]["version"] == "1.4.0"
    assert "meshgen/tier-1" in orders["tags"]
    assert "checkout__orders__v1__inputs" in graph["sensors"]  # it reads payments: a sensor, like Airflow
    assert "users__customers__v1__schedule" in graph["schedules"]  # no inputs: its cron
    assert graph["raised"] and "stub" in graph["raised"]


def test_hostile_strings_survive_in_dagster_metadata(tmp_path):
    mesh = hostile_mesh(tmp_path)
    out = build_mesh(mesh, tmp_path / "out", ["dagster"])
    python_is_clean(sorted(out.rglob("*.py")))
    definitions = out / "_mesh/dagster/definitions.py"
    _validate(tmp_path, definitions)
    graph = run_in(tool_bin("dagster", "python"), GRAPH, str(definitions), cwd=tmp_path)
    texts = hostile_texts(mesh)
    (asset,) = graph["assets"].values()
    assert asset["description"] == texts["dataset_description"]
    assert asset["metadata"]["tags"] == texts["tags"]
    assert texts["purpose"] in asset["metadata"]["product_description"]
    assert not list(tmp_path.rglob("PWNED"))
