"""The airflow target, judged by Apache Airflow 3 itself (its own venv): a DagBag over the example
mesh's DAGs has no import errors, each DAG's asset schedule is exactly the products its input
ports read, the build stub raises, and hostile strings arrive byte for byte, executing nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SPECS, tool_bin
from tests.targets.orchestration import (build_mesh, hostile_mesh, hostile_texts, mesh_inputs, python_is_clean,
                                         run_in)

DAGBAG = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
out = {"errors": {k: v[-2000:] for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    cond = dag.timetable
    condition = getattr(cond, "asset_condition", None)
    def uris(node):
        return [u for o in node.objects for u in uris(o)] if hasattr(node, "objects") else [node.uri]
    assets = sorted(uris(condition)) if condition is not None else None
    combined = type(condition).__name__ if condition is not None else None
    try:
        dag.get_task("build").python_callable()
        raised = None
    except NotImplementedError as exc:
        raised = str(exc)
    out["dags"][dag_id] = {
        "assets": assets, "combined": combined, "cron": dag.schedule if isinstance(dag.schedule, str) else None, "tags": sorted(dag.tags),
        "owner": dag.owner, "doc_md": dag.doc_md, "description": dag.description,
        "tasks": [t.task_id for t in dag.topological_sort()] if hasattr(dag, "topological_sort") else sorted(dag.task_ids),
        "outlets": [a.uri for a in dag.get_task("publish").outlets], "build_raised": raised,
        "timeout": dag.dagrun_timeout.total_seconds() if dag.dagrun_timeout else None,
    }
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def airflow_python():
    return tool_bin("airflow", "python")


def _dagbag(python: Path, folder: Path, tmp: Path) -> dict:
    home = tmp / "airflow-home"
    home.mkdir(exist_ok=True)
    return run_in(python, DAGBAG, str(folder), cwd=tmp,
                  env={"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"})


def test_example_mesh_dags_load_and_are_scheduled_on_the_mesh(airflow_python, tmp_path):
    out = build_mesh(SPECS, tmp_path / "out", ["airflow"])
    files = sorted(out.glob("*/*/v*/airflow/*.py"))
    python_is_clean(files)
    bag = _dagbag(airflow_python, out, tmp_path)
    assert bag["errors"] == {}
    inputs = mesh_inputs()
    dags = {d["outlets"][0]: d for d in bag["dags"].values()}
    assert set(dags) == set(inputs)
    for address, dag in dags.items():
        if inputs[address]:
            assert set(dag["assets"]) == inputs[address], address
            assert len(inputs[address]) == 1 or dag["combined"] == "AssetAll"  # every input, not any
        else:
            assert dag["assets"] is None and dag["cron"], address
        assert dag["build_raised"] and address in dag["build_raised"]
    orders = dags["data://checkout/orders/v1"]
    assert orders["owner"] == "checkout-team" and "tier-1" in orders["tags"] and orders["timeout"] == 3600
    assert set(orders["tasks"]) == {"build", "check_quality", "publish"}
    assert "Freshness SLO" in orders["doc_md"]
    # data-aware scheduling across the mesh: a consumer's schedule is a producer's outlet
    assert "data://checkout/orders/v2" in dags["data://logistics/shipments/v1"]["assets"]


def test_hostile_strings_survive_byte_for_byte_and_execute_nothing(airflow_python, tmp_path):
    mesh = hostile_mesh(tmp_path)
    out = build_mesh(mesh, tmp_path / "out", ["airflow"])
    files = sorted(out.glob("*/*/v*/airflow/*.py"))
    python_is_clean(files)
    bag = _dagbag(airflow_python, out, tmp_path)
    assert bag["errors"] == {}
    (dag,) = bag["dags"].values()
    texts = hostile_texts(mesh)
    assert dag["description"] == texts["title"]
    assert texts["purpose"] in dag["doc_md"] and texts["title"] in dag["doc_md"]
    assert set(texts["tags"]) <= set(dag["tags"])
    assert not list(tmp_path.rglob("PWNED"))
