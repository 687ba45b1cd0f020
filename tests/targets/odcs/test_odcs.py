"""The odcs target: golden contracts, and every contract of the example mesh and the fixtures
linted by the real datacontract-cli (DataContract.lint(), in one process) and validated with
jsonschema against the official ODCS schemas its venv ships (open-data-contract-standard's
schema.json, datacontract-cli's v3.1.0 copy); a broken contract is rejected by both."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from meshgen.serializer import yaml_document
from tests.support import SHARED, assert_same_tree, need, need_module, tool_bin, tool_venv
from tests.targets.odcs.sources import (
    GOLDEN_CASES, SOURCES, build_source, problems, run_driver, venv_file,
)

HERE = Path(__file__).parent
DRIVER = HERE / "datacontract_lint.py"


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden(case, tmp_path):
    built = build_source(case, tmp_path / "build")
    actual = tmp_path / "actual"
    for path in built.files("odcs"):
        dest = actual / path.relative_to(built.out)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    (actual / "diagnostics.txt").write_text(built.diagnostics_text("ODCS"), encoding="utf-8")
    assert_same_tree(HERE / "cases" / case / "expected", actual, f"tests/targets/odcs/test_odcs.py::test_golden[{case}]")


@pytest.fixture(scope="module")
def contracts(tmp_path_factory):
    """Every source built; each contract with the checks datacontract-cli reports for it and
    the document as the tool's YAML parser reads it."""
    python = tool_bin("datacontract", "python")
    built = {name: build_source(name, tmp_path_factory.mktemp(name)) for name in SOURCES}
    files = [f for b in built.values() for f in b.files("odcs")]
    return built, run_driver(python, DRIVER, files)


def _schemas():
    jsonschema = need_module("jsonschema")
    venv = tool_venv("datacontract")
    found = {}
    for label, parts in (("open-data-contract-standard", ("open_data_contract_standard", "schema.json")),
                         ("datacontract-cli v3.1.0", ("datacontract", "schemas", "odcs-3.1.0.schema.json"))):
        schema = json.loads(venv_file(venv, *parts).read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        found[label] = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return found


def test_datacontract_lint_passes_on_every_contract(contracts):
    built, report = contracts
    assert len(report) >= 20 and all(b.files("odcs") for b in built.values())
    assert not problems(report)
    assert all(any(r == "passed" and "valid against ODCS v3.1.0" in n for r, n, _ in e["checks"]) for e in report.values())


def test_every_contract_validates_against_the_official_schemas(contracts):
    _, report = contracts
    for label, validator in _schemas().items():
        for path, entry in report.items():
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(entry["document"])]
            assert not errors, f"{label}: {Path(path).name}: {errors[:3]}"


def test_a_broken_contract_is_rejected_by_the_linter_and_the_schemas(contracts, tmp_path):
    _, report = contracts
    document = copy.deepcopy(next(iter(report.values()))["document"])
    document["schema"][0]["properties"][0]["logicalType"] = "strang"
    del document["kind"]
    broken = tmp_path / "broken.odcs.yaml"
    broken.write_text(yaml_document(document), encoding="utf-8")
    verdict = run_driver(tool_bin("datacontract", "python"), DRIVER, [broken])
    assert problems(verdict)
    for validator in _schemas().values():
        assert not validator.is_valid(document)


def test_hostile_strings_survive_byte_for_byte(contracts):
    built, report = contracts
    pf = built["hostile_text"].result.mesh.products[0]
    ds = pf.product.datasets[0]
    for path in built["hostile_text"].files("odcs"):
        doc = report[str(path)]["document"]
        assert doc["description"]["purpose"] == pf.product.description
        obj = doc["schema"][0]
        assert obj["description"] == ds.description
        props = {p["name"]: p for p in obj["properties"]}
        for f in ds.fields:
            assert props[f.name].get("description") == f.description
        assert props["id"]["examples"] == ds.field("id").examples
        mood = next(q for q in props["mood"]["quality"] if q["metric"] == "invalidValues")
        assert mood["arguments"]["validValues"] == list(ds.field("mood").symbols)


def test_the_contract_carries_the_spec(contracts):
    """Spot checks of the mapping on the example mesh's orders v1 table port."""
    built, report = contracts
    path = next(p for p in built["specs"].files("odcs") if p.as_posix().endswith("checkout/orders/v1/odcs/orders-table.odcs.yaml"))
    doc = report[str(path)]["document"]
    assert (doc["id"], doc["apiVersion"], doc["status"]) == ("data://checkout/orders/v1/orders-table", "v3.1.0", "deprecated")
    props = {p["name"]: p for p in doc["schema"][0]["properties"]}
    assert props["order_id"]["primaryKey"] is True and props["order_id"]["primaryKeyPosition"] == 1
    assert props["total"]["physicalType"] == "NUMBER(12,2)" and props["total"]["logicalType"] == "number"
    assert props["customer_email"]["classification"] == "confidential" and "pii" in props["customer_email"]["tags"]
    assert [p["name"] for p in props["items"]["items"]["properties"]] == ["sku", "quantity", "unit_price"]
    sla = {s["property"]: s for s in doc["slaProperties"]}
    assert (sla["freshness"]["value"], sla["freshness"]["unit"], sla["freshness"]["element"]) == (1, "h", "orders.placed_at")
    assert (sla["retention"]["value"], sla["retention"]["unit"]) == (2, "y")
    assert doc["team"]["name"] == "checkout-team"


def test_contracts_validate_against_the_interop_schema(contracts):
    """Integration: ../shared/interop's copy of the official ODCS v3.1.0 schema accepts them too."""
    jsonschema = need_module("jsonschema")
    path = SHARED / "interop" / "schemas" / "odcs-json-schema-v3.1.0.json"
    need(path.is_file(), f"the interop ODCS schema at {path}")
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    _, report = contracts
    for file, entry in report.items():
        assert validator.is_valid(entry["document"]), Path(file).name
