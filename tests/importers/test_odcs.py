"""`meshgen import odcs`: an ODCS v3 contract becomes a spec (types refined by physicalType,
keys in primaryKeyPosition order, SLOs, support, servers as ports); what the spec cannot carry
is a positioned warning; a contract without the standard's required structure is a clear
error (exit 2), and the official ODCS JSON Schema agrees that each such contract is invalid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from meshgen import api
from tests.support import SHARED, need_shared

ODCS_SCHEMA = SHARED / "interop" / "schemas" / "odcs-json-schema-v3.1.0.json"
HEAD = "apiVersion: v3.1.0\nkind: DataContract\nid: c1\nversion: 2.1.0\nstatus: active\n"

CONTRACT = HEAD + """domain: sales
dataProduct: Lead Scores
description:
  purpose: Scores per lead.
  authoritativeDefinitions: [{type: x, url: https://example.com}]
team: {name: sales-team}
servers:
  - {server: dwh, type: postgres, host: db, port: 5432, database: crm, schema: scoring}
  - {server: bus, type: kafka, host: "broker:9092"}
  - {server: odd, type: api, location: "https://api.example.com"}
slaProperties:
  - {property: retention, value: 3, unit: y}
  - {property: latency, value: PT15M}
  - {property: frequency, value: 1, unit: d}
  - {property: freshness, value: 2, unit: h, element: tab1.seen}
schema:
  - name: leads
    physicalName: lead_scores
    description: One row per lead.
    properties:
      - {name: region, logicalType: string, physicalType: varchar(8), primaryKey: true, primaryKeyPosition: 2}
      - {name: lead_id, logicalType: string, physicalType: uuid, primaryKey: true, primaryKeyPosition: 1,
         required: true}
      - {name: score, logicalType: number, physicalType: "numeric(5,2)", logicalTypeOptions: {minimum: 0.5}}
      - {name: seen, logicalType: timestamp, physicalType: timestamp_ntz, partitioned: true}
      - {name: hits, logicalType: integer, physicalType: bigint, isNullable: true}
      - name: tags
        logicalType: array
        items: {logicalType: string}
      - name: address
        logicalType: object
        properties:
          - {name: city, logicalType: string, required: true}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contract.odcs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_contract_becomes_a_spec(tmp_path):
    result = api.import_product("odcs", [_write(tmp_path, CONTRACT)])
    p = result.product
    assert (p["domain"], p["name"], p["version"], p["owner"]["team"]) == ("sales", "lead_scores", "2.1.0", "sales-team")
    ds = p["datasets"][0]
    assert ds["primaryKey"] == ["lead_id", "region"] and ds["partitionBy"] == ["seen"]
    types = {f["name"]: f["type"] for f in ds["fields"]}
    assert types == {"region": "string", "lead_id": "uuid", "score": "decimal(5,2)", "seen": "timestamp_ntz",
                     "hits": "long", "tags": "array<string>", "address": "struct"}
    fields = {f["name"]: f for f in ds["fields"]}
    assert fields["region"]["maxLength"] == 8 and fields["score"]["minimum"] == 0.5
    assert fields["address"]["fields"] == [{"name": "city", "type": "string", "required": True}]
    # a freshness element naming no imported field (tab1 is no dataset here) is left out, said so
    assert p["slos"] == {"retention": {"period": "3y"}, "latency": {"threshold": "PT15M"},
                         "freshness": {"threshold": "2h"}}
    assert any(d.code == "IMP004" and "tab1.seen" in d.message for d in result.diagnostics)
    assert [(q["type"], q.get("location") or q.get("topic")) for q in p["outputPorts"]] == [
        ("table", "crm.scoring.lead_scores"), ("events", "lead_scores")]


def test_what_the_spec_cannot_carry_is_a_warning_at_its_line_and_column(tmp_path):
    source = _write(tmp_path, CONTRACT)
    lines = source.read_text().splitlines()
    result = api.import_product("odcs", [source])
    found = {(d.code, d.location.line, d.location.column) for d in result.diagnostics}

    def at(text: str, offset: int = 0) -> tuple[int, int]:
        line = next(i for i, s in enumerate(lines, 1) if text in s)
        return line, lines[line - 1].index(text) + 1 + offset

    assert ("IMP002", *at("isNullable")) in found  # not an ODCS key
    assert ("IMP002", *at("authoritativeDefinitions")) in found  # no place in the spec
    assert ("IMP002", *at("{property: frequency")) in found  # an SLA meshgen has no SLO for
    assert ("IMP002", *at("{server: odd")) in found  # a server that is no port meshgen knows


@pytest.mark.parametrize("text, where, says", [
    ("kind: DataContract\nid: x\n", (1, 1), "no `apiVersion`"),
    (HEAD.replace("kind: DataContract", "kind: DataProduct"), (2, 7), "kind: DataContract"),
    (HEAD.replace("v3.1.0", "v2.2.2"), (1, 13), "ODCS v3"),
    (HEAD + "schema:\n  - name: t\n    properties:\n      - {name: a, logicalType: text}\n", (9, 32), "logicalType"),
    (HEAD + "schema:\n  - properties: []\n", (7, 5), "needs a `name`"),
    (HEAD + "schema: {name: t}\n", (6, 9), "is a list"),
    (HEAD + "schema: []\n", (1, 1), "no dataset"),
])
def test_a_contract_invalid_against_its_standard_is_a_clear_error(cli, tmp_path, text, where, says):
    source = _write(tmp_path, text)
    result = cli("import", "odcs", source, "--format", "json")
    assert result.exit_code == 2, result.output
    errors = [d for d in json.loads(result.output) if d["severity"] == "error"]
    assert errors and says in errors[0]["message"]
    assert (errors[0]["line"], errors[0]["column"]) == where
    assert errors[0]["code"] in ("IMP001", "IMP008")


def test_the_official_odcs_schema_also_rejects_what_imp001_refuses(tmp_path):
    """IMP001 never refuses a contract the standard accepts: each refused case fails the ODCS
    v3.1.0 JSON Schema as well (../shared's copy of the standard's schema.json)."""
    import jsonschema

    from meshgen.load.yaml_source import parse_yaml

    need_shared(ODCS_SCHEMA, "the ODCS JSON Schema")
    schema = json.loads(ODCS_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    refused = ["kind: DataContract\nid: x\n", HEAD.replace("kind: DataContract", "kind: DataProduct"),
               HEAD + "schema:\n  - name: t\n    properties:\n      - {name: a, logicalType: text}\n",
               HEAD + "schema:\n  - properties: []\n", HEAD + "schema: {name: t}\n"]
    for text in refused:
        with pytest.raises(api.MeshgenError):
            api.import_product("odcs", [_write(tmp_path, text)])
        assert not validator.is_valid(parse_yaml(text, "case").data), text
    assert validator.is_valid(parse_yaml(CONTRACT.replace("isNullable: true", "required: false"), "ok").data)
