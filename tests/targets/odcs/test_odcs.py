"""The odcs target: golden contracts, and every contract of the example mesh and the fixtures
linted by the real datacontract-cli (DataContract.lint(), in one process: it validates against
its copy of the ODCS v3.1.0 schema) and validated with jsonschema against the schema.json that
open-data-contract-standard ships; a broken contract is rejected by both."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from meshgen.serializer import yaml_document
from tests.support import SHARED, SPECS, need_shared, need_module, tool_bin, tool_venv
from tests.targets.odcs.sources import (
    GOLDEN_CASES, SOURCES, built_once, check_target_golden, problems, run_driver, venv_file,
)

HERE = Path(__file__).parent
DRIVER = HERE / "datacontract_lint.py"


@pytest.mark.parametrize("case", GOLDEN_CASES)
def test_golden(case, tmp_path_factory):
    check_target_golden("odcs", "ODCS", case, tmp_path_factory)


@pytest.fixture(scope="module")
def contracts(tmp_path_factory):
    """Every source built; each contract with the checks datacontract-cli reports for it and
    the document as the tool's YAML parser reads it."""
    python = tool_bin("datacontract", "python")
    built = {name: built_once(name, tmp_path_factory) for name in SOURCES}
    files = [f for b in built.values() for f in b.files("odcs")]
    return built, run_driver(python, DRIVER, files)


def _schema_validator():
    """open-data-contract-standard's schema.json (ODCS v3.2.0's, which accepts v3.1.0 contracts);
    datacontract-cli's lint has already validated each contract against its v3.1.0 copy."""
    jsonschema = need_module("jsonschema")
    path = venv_file(tool_venv("datacontract"), "open_data_contract_standard", "schema.json")
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert "v3.1.0" in schema["properties"]["apiVersion"]["enum"]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_datacontract_lint_passes_on_every_contract(contracts):
    built, report = contracts
    assert len(report) >= 20 and all(b.files("odcs") for b in built.values())
    assert not problems(report)
    assert all(any(r == "passed" and "valid against ODCS v3.1.0" in n for r, n, _ in e["checks"]) for e in report.values())


def test_every_contract_validates_against_the_official_schema(contracts):
    _, report = contracts
    validator = _schema_validator()
    for path, entry in report.items():
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(entry["document"])]
        assert not errors, f"{Path(path).name}: {errors[:3]}"


def test_a_broken_contract_is_rejected_by_the_linter_and_the_schemas(contracts, tmp_path):
    _, report = contracts
    document = copy.deepcopy(next(iter(report.values()))["document"])
    document["schema"][0]["properties"][0]["logicalType"] = "strang"
    del document["kind"]
    broken = tmp_path / "broken.odcs.yaml"
    broken.write_text(yaml_document(document), encoding="utf-8")
    verdict = run_driver(tool_bin("datacontract", "python"), DRIVER, [broken])
    assert problems(verdict)
    assert not _schema_validator().is_valid(document)


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
    """Integration: ../shared/interop's copy of the official ODCS v3.1.0 schema accepts the
    example mesh's contracts too."""
    jsonschema = need_module("jsonschema")
    path = SHARED / "interop" / "schemas" / "odcs-json-schema-v3.1.0.json"
    need_shared(path, "the interop copy of the ODCS v3.1.0 schema")
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    built, report = contracts
    for file in built["specs"].files("odcs"):
        assert validator.is_valid(report[str(file)]["document"]), file.name


def test_configured_connection_keys_make_typed_servers(tmp_path):
    """With the keys a port does not say given in meshgen.yaml, every server has its platform's
    ODCS type (not custom) and the contracts, linking the docs site, still pass datacontract-cli."""
    python = tool_bin("datacontract", "python")
    mesh = tmp_path / "mesh"
    shutil.copytree(SPECS, mesh, ignore=shutil.ignore_patterns("build"))
    config = mesh / "meshgen.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "site_url: https://data.example.com/mesh/\n" + (
        "targets:\n  odcs:\n    environment: prod\n    servers:\n      kafka: {host: 'broker-1:9092'}\n"
        "      snowflake: {account: acme-eu}\n      postgres: {host: db.internal, port: 5432, database: analytics}\n"),
        encoding="utf-8")
    from meshgen.api import build

    result = build(mesh, output=tmp_path / "out")
    assert not result.diagnostics.has_errors
    files = sorted((tmp_path / "out").rglob("*.odcs.yaml"))
    report = run_driver(python, DRIVER, files)
    assert not problems(report)
    servers = [entry["document"]["servers"][0] for entry in report.values()]
    assert {s["type"] for s in servers} >= {"kafka", "snowflake", "postgres", "api"}
    assert all(s["type"] != "custom" for s in servers if s["server"].endswith(("-events", "-table")))
    assert all(s["environment"] == "prod" for s in servers)
    assert all(entry["document"]["authoritativeDefinitions"][0]["type"] == "documentation" for entry in report.values())
    kafka = next(s for s in servers if s["type"] == "kafka")
    assert kafka["host"] == "broker-1:9092" and kafka["format"] == "avro"


NOTES_PRODUCT = """\
apiVersion: meshgen/v1
kind: DataProduct
domain: qa
name: notes
version: 1.0.0
description: What the open standards cannot say.
owner: {team: qa-team, email: qa@example.com}
support:
  - {channel: "#qa", tool: slack}
datasets:
  - name: things
    description: One row per thing.
    primaryKey: [id]
    fields:
      - {name: id, type: string, required: true, description: Id.}
      - {name: note, type: string, description: Free text.}
      - name: parts
        type: map
        description: Parts by name.
        values:
          type: struct
          fields:
            - {name: size, type: int, description: Size.}
    quality:
      - {id: notes_valid, metric: invalidValues, field: note, mustBe: 0}
  - name: unserved
    description: No port serves it.
    primaryKey: [id]
    fields:
      - {name: id, type: string, required: true, description: Id.}
outputPorts:
  - {name: things-table, type: table, dataset: things, platform: duckdb, location: qa.things_v1}
"""


def test_what_the_standards_cannot_express_is_a_note_where_it_is_written(tmp_path):
    """A dataset no port serves (`unserved`) has no contract and no note: it promises nothing."""
    from meshgen.api import build

    product = tmp_path / "notes" / "dataproduct.yaml"
    product.parent.mkdir()
    product.write_text(NOTES_PRODUCT, encoding="utf-8")
    result = build(product, output=tmp_path / "out", targets=["odcs", "odps"])
    notes = {(d.code, d.severity.name, d.location.line, d.location.column) for d in result.diagnostics
             if d.code.startswith(("ODCS", "ODPS"))}
    assert notes == {("ODCS001", "NOTE", 18, 15), ("ODCS002", "NOTE", 25, 7), ("ODPS001", "NOTE", 9, 15)}
    assert [p.name for p in (tmp_path / "out").rglob("*.odcs.yaml")] == ["things-table.odcs.yaml"]
    with pytest.raises(Exception):  # under --strict each is an error and nothing is written
        build(product, output=tmp_path / "strict", targets=["odcs", "odps"], strict=True)
