"""The odps target: golden descriptors, and every descriptor of the example mesh and the
fixtures linted by the real dataproduct-cli (DataProduct.lint(), in one process, resolving the
contracts each cites among the odcs target's files) and validated with jsonschema against the
ODPS 1.1.0 schema it ships; a broken descriptor is rejected by both."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from meshgen.serializer import yaml_document
from tests.support import SPECS, need_module, tool_bin, tool_venv
from tests.support.golden import golden_cases
from tests.targets.odcs.sources import (
    SOURCES, built_once, check_target_golden, problems, run_driver, venv_file,
)

HERE = Path(__file__).parent
DRIVER = HERE / "dataproduct_lint.py"


@pytest.mark.parametrize("case", golden_cases("odps"))
def test_golden(case, tmp_path_factory):
    check_target_golden("odps", "ODPS", case, tmp_path_factory)


@pytest.fixture(scope="module")
def descriptors(tmp_path_factory):
    python = tool_bin("dataproduct", "python")
    built = {name: built_once(name, tmp_path_factory) for name in SOURCES}
    report = {}
    for b in built.values():  # each build's contracts are where its descriptors cite them
        report.update(run_driver(python, DRIVER, b.files("odps"), str(b.out)))
    return built, report


def _validator():
    jsonschema = need_module("jsonschema")
    schema = json.loads(venv_file(tool_venv("dataproduct"), "dataproduct", "schemas", "odps-1.1.0.schema.json")
                        .read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_dataproduct_lint_passes_on_every_descriptor(descriptors):
    built, report = descriptors
    assert len(report) == sum(len(b.result.mesh.products) for b in built.values()) >= 10
    assert not problems(report)
    checks = [name for entry in report.values() for result, name, _ in entry["checks"]]
    assert any("valid against ODPS v1.1.0" in n for n in checks)
    # the example mesh's descriptors cite contracts that resolve: their ports' ODCS files
    assert sum("is resolvable" in n for n in checks) >= 20


def test_every_descriptor_validates_against_the_odps_1_1_schema(descriptors):
    _, report = descriptors
    validator = _validator()
    for path, entry in report.items():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(entry["document"])]
        assert not errors, f"{Path(path).name}: {errors[:3]}"


def test_a_broken_descriptor_is_rejected_by_the_linter_and_the_schema(descriptors, tmp_path):
    _, report = descriptors
    document = copy.deepcopy(next(iter(report.values()))["document"])
    document["outputPorts"][0]["version"] = 2
    del document["id"]
    broken = tmp_path / "broken.odps.yaml"
    broken.write_text(yaml_document(document), encoding="utf-8")
    assert problems(run_driver(tool_bin("dataproduct", "python"), DRIVER, [broken], str(tmp_path)))
    assert not _validator().is_valid(document)


def test_the_descriptor_carries_the_product(descriptors):
    built, report = descriptors
    path = next(p for p in built["specs"].files("odps") if p.as_posix().endswith("checkout/orders/v2/odps/orders.odps.yaml"))
    doc = report[str(path)]["document"]
    assert (doc["id"], doc["apiVersion"], doc["version"]) == ("data://checkout/orders/v2", "v1.1.0", "2.0.0")
    assert [p["contractId"] for p in doc["outputPorts"]] == [
        f"data://checkout/orders/v2/{p}" for p in ("orders-events", "orders-table", "orders-files", "orders-api")]
    (payments,) = doc["inputPorts"]
    assert payments["contractId"].startswith("data://payments/transactions/v2/")
    assert doc["team"]["name"] == "checkout-team"


def test_hostile_strings_survive_byte_for_byte(descriptors):
    built, report = descriptors
    pf = built["hostile_text"].result.mesh.products[0]
    (path,) = built["hostile_text"].files("odps")
    doc = report[str(path)]["document"]
    assert doc["description"]["purpose"] == pf.product.description
    assert doc["name"] == pf.product.title
    assert doc["team"]["name"] == pf.product.owner.team
    assert [p.get("description") for p in doc["outputPorts"]] == [p.description for p in pf.product.outputPorts]


def test_the_docs_page_is_linked_only_with_a_site_url(tmp_path):
    from ruamel.yaml import YAML

    from meshgen.api import build

    read = YAML(typ="safe", pure=True).load
    mesh = tmp_path / "mesh"
    shutil.copytree(SPECS, mesh, ignore=shutil.ignore_patterns("build"))
    build(mesh, output=tmp_path / "plain", targets=["odcs", "odps"])
    plain = [read(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "plain").rglob("*.od?s.yaml"))]
    assert plain and not [d for d in plain if "authoritativeDefinitions" in d]
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://data.example.com/mesh/\n", encoding="utf-8")
    build(mesh, output=tmp_path / "linked", targets=["odcs", "odps"])
    descriptor = read((tmp_path / "linked/checkout/orders/v2/odps/orders.odps.yaml").read_text(encoding="utf-8"))
    contract = read((tmp_path / "linked/checkout/orders/v2/odcs/orders-table.odcs.yaml").read_text(encoding="utf-8"))
    page = "https://data.example.com/mesh/products/checkout/orders/v2/"
    assert [d["url"] for d in descriptor["authoritativeDefinitions"]] == [page]
    assert [d["url"] for d in contract["authoritativeDefinitions"]] == [page]
