"""Quiet by default (issue 9.9) and validate = build without writing (issue 9.10)."""

from __future__ import annotations

import json

from tests.conftest import SPECS

ORDERS_V1 = "checkout/orders/v1/dataproduct.yaml"


def _json(result) -> list[dict]:
    return json.loads(result.stdout)


def test_validate_reports_what_build_reports_without_writing(cli, mesh_copy, tmp_path):
    """Issue 9.10: validate said clean and build then printed 94 warnings."""
    out = tmp_path / "out"
    validated = cli("validate", mesh_copy, "--format", "json")
    built = cli("build", mesh_copy, "-o", out, "--format", "json")
    assert validated.exit_code == built.exit_code == 0
    codes = {d["code"] for d in _json(validated)}
    assert {"SQL001", "DBT002", "PROTO004"} <= codes
    assert _json(validated) == _json(built)
    assert not (mesh_copy / "build").exists()


def test_validate_writes_nothing_beside_the_products(cli, mesh_copy):
    before = sorted(p.relative_to(mesh_copy) for p in mesh_copy.rglob("*"))
    assert cli("validate", mesh_copy).exit_code == 0
    assert sorted(p.relative_to(mesh_copy) for p in mesh_copy.rglob("*")) == before


def test_validate_strict_fails_on_what_a_target_cannot_express(cli, mesh_copy):
    """Issue 9.9: --strict exists on validate too."""
    result = cli("validate", mesh_copy, "--strict", "--format", "json")
    assert result.exit_code == 1
    assert {d["severity"] for d in _json(result) if d["code"] == "SQL001"} == {"error"}


def test_what_a_target_cannot_express_is_a_note_summarized_per_target(cli, mesh_copy, tmp_path):
    """Issue 9.9: the example mesh printed 94 warnings, 69 of them the same fact per target."""
    data = _json(cli("build", mesh_copy, "-o", tmp_path / "a", "--format", "json"))
    assert not [d for d in data if d["severity"] == "warning"]
    assert {d["severity"] for d in data if d["code"].startswith(("SQL", "DBT", "PROTO"))} <= {"note", "info"}
    human = cli("build", mesh_copy, "-o", tmp_path / "b")
    lines = [line for line in human.output.splitlines() if line.strip()]
    assert len(lines) <= 5, human.output
    notes = next(line for line in lines if "cannot express" in line)
    assert "sql " in notes and "dbt " in notes and "protobuf " in notes and "--verbose" in notes


def test_verbose_shows_a_fact_once_per_field(cli, mesh_copy):
    """The same lost CHECK of orders.total is reported by sql (SQL006) and dbt (DBT002): one
    finding at that field, the other target's words under it."""
    text = cli("validate", mesh_copy, "--verbose").output
    position = f"{ORDERS_V1}:58:71:"
    heads = [line for line in text.splitlines() if position in line]
    assert len(heads) == 1, heads
    block = text.split(heads[0], 1)[1].split("\n\n", 1)[0]
    assert "= also [SQL006]" in block or "= also [DBT002]" in block


def _config(mesh, text: str) -> None:
    path = mesh / "meshgen.yaml"
    path.write_text(path.read_text() + text)


def test_any_code_family_can_be_set_in_meshgen_yaml(cli, mesh_copy):
    """Issue 9.9: `SQL001: off` was GOV001 'unknown rule'."""
    _config(mesh_copy, "diagnostics:\n  SQL001: off\n  PROTO: warning\n  DBT002: error\n")
    result = cli("validate", mesh_copy, "--format", "json")
    data = _json(result)
    assert not [d for d in data if d["code"] == "SQL001"]
    assert {d["severity"] for d in data if d["code"].startswith("PROTO")} == {"warning"}
    assert {d["severity"] for d in data if d["code"] == "DBT002"} == {"error"} and result.exit_code == 1
    assert {d["severity"] for d in data if d["code"] == "SQL006"} == {"note"}


def test_strict_wins_over_a_level_but_not_over_off(cli, mesh_copy):
    _config(mesh_copy, "diagnostics:\n  SQL001: off\n  SQL006: warning\n")
    data = _json(cli("validate", mesh_copy, "--strict", "--format", "json"))
    assert not [d for d in data if d["code"] == "SQL001"]
    assert {d["severity"] for d in data if d["code"] == "SQL006"} == {"error"}


def test_an_unknown_or_unsettable_code_is_refused_at_its_key(cli, mesh_copy):
    _config(mesh_copy, "diagnostics:\n  SQL01: off\n  LOAD001: warning\n  NAM002: off\n")
    result = cli("validate", mesh_copy, "--format", "json")
    found = [d for d in _json(result) if d["code"] == "CONF004"]
    assert result.exit_code == 1 and len(found) == 3
    lines = (mesh_copy / "meshgen.yaml").read_text().splitlines()
    by_key = {lines[d["line"] - 1].strip().split(":")[0]: d for d in found}
    assert set(by_key) == {"SQL01", "LOAD001", "NAM002"}
    assert "did you mean 'SQL001'?" in by_key["SQL01"]["hint"]
    assert "governance" in by_key["NAM002"]["message"] and by_key["SQL01"]["column"] == 3


def test_a_bad_level_is_conf001(cli, mesh_copy):
    _config(mesh_copy, "diagnostics:\n  SQL001: loud\n")
    result = cli("validate", mesh_copy, "--format", "json")
    assert result.exit_code == 1 and [d["code"] for d in _json(result)] == ["CONF001"]


def test_the_example_mesh_prints_a_handful_of_lines(cli, tmp_path):
    result = cli("build", SPECS, "-o", tmp_path / "out")
    assert result.exit_code == 0
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 5, result.output


def test_a_new_product_in_the_mesh_hears_nothing_about_other_teams(cli, mesh_copy, tmp_path):
    """Issue 9.9: a freshly scaffolded product got 29 warnings about other teams' products (the
    dbt unit reads the whole mesh; only what concerns the selected product is reported)."""
    assert cli("init", mesh_copy, "--domain", "sales", "--name", "leads", "--owner-team", "sales-team",
               "--owner-email", "sales@acme.example", "--purpose", "Leads the sales team follows up.",
               "--no-input").exit_code == 0
    product = mesh_copy / "sales/leads/v1/dataproduct.yaml"
    for command in (["validate", product], ["build", product, "-o", tmp_path / "out"]):
        data = _json(cli(*command, "--format", "json"))
        assert {d["file"] for d in data} <= {str(product)}, command
