"""`meshgen test` on DuckDB: seeded rows that keep the contract pass; rows that break one kind
of check fail exactly that check; diagnostics for tables, columns and URLs; --create on the
example mesh; JSON and JUnit output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import SPECS, need_module
from tests.testing.engines import BAD_CASES, SeededEngine, good_rows

from meshgen.testing.runner import run_tests

SEEDED = Path(__file__).parent / "seeded"
PLAIN = {"readings": "readings"}  # the seeded table, not the DDL's qa.seeded__readings_v1


@pytest.fixture
def duck(tmp_path):
    duckdb = need_module("duckdb")
    path = tmp_path / "seeded.duckdb"

    def execute(sql: str) -> None:
        con = duckdb.connect(str(path))
        try:
            con.execute(sql)
        finally:
            con.close()

    return SeededEngine(f"duckdb:///{path}", execute, "VARCHAR", "TIMESTAMPTZ",
                        lambda hours: f"CURRENT_TIMESTAMP - INTERVAL '{int(hours * 3600)} seconds'")


def failed_ids(run) -> set[str]:
    return {o.check.id for o in run.outcomes if o.status != "passed"}


def test_rows_that_keep_the_contract_pass(duck):
    duck.seed(good_rows())
    run = run_tests(SEEDED, duck.url, tables=PLAIN)
    assert not run.diagnostics and not run.failed
    assert len(run.outcomes) == 14 and failed_ids(run) == set()


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_each_kind_of_bad_row_fails_exactly_its_check(duck, case):
    rows, expected = BAD_CASES[case]
    duck.seed(rows)
    run = run_tests(SEEDED, duck.url, tables=PLAIN)
    assert failed_ids(run) == expected
    assert run.failed == (case != "stale")  # freshness is an SLO: a warning


def test_cli_names_check_measured_value_and_threshold_and_junit_parses(duck, cli):
    rows, _ = BAD_CASES["above_maximum"]
    duck.seed(rows)
    result = cli("test", SEEDED, "--table", "readings=readings", "--connection", duck.url)
    assert result.exit_code == 1
    assert "FAILED   readings.maximum.level: measured 1 rows, must be = 0" in result.output
    junit = cli("test", SEEDED, "--table", "readings=readings", "--connection", duck.url, "--format", "junit")
    root = ET.fromstring(junit.output)
    cases = root.findall(".//testcase")
    assert len(cases) == 14
    failures = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failures == ["readings.maximum.level"]
    data = json.loads(cli("test", SEEDED, "--table", "readings=readings", "--connection", duck.url, "--format", "json").output)
    bad = [c for c in data["checks"] if c["status"] == "failed"]
    assert [(c["id"], c["measured"], c["threshold"]["op"]) for c in bad] == [("readings.maximum.level", 1, "=")]


def test_missing_table_column_and_bad_url_are_diagnostics(duck, cli):
    result = cli("test", SEEDED, "--table", "readings=readings", "--connection", duck.url)
    assert result.exit_code == 1 and "TEST003" in result.output and "dataset readings (port readings-table)" in \
        result.output and "Traceback" not in result.output
    duck.execute("CREATE TABLE readings (reading_id VARCHAR, sensor VARCHAR)")
    run = run_tests(SEEDED, duck.url, tables=PLAIN)
    missing = sorted(d.message.split("column ")[1].split(" ")[0] for d in run.diagnostics if d.code == "TEST004")
    assert missing == ["code", "label", "level", "read_at", "serial", "status"]
    statuses = {o.check.id: o.status for o in run.outcomes}
    assert statuses["readings.required.sensor"] == "passed" and statuses["readings.enum.status"] == "errored"
    bad = cli("test", SEEDED, "--connection", "mysql://x")
    assert bad.exit_code == 2 and "TEST001" in bad.output


def test_a_query_the_database_rejects_is_errored_and_the_rest_run(duck, tmp_path):
    import shutil

    mesh = tmp_path / "mesh"
    shutil.copytree(SEEDED, mesh)
    spec = mesh / "qa/seeded/v1/dataproduct.yaml"
    spec.write_text(spec.read_text().replace("WHERE level = 13", "WHERE no_such_column = 13"))
    duck.seed(good_rows())
    run = run_tests(mesh, duck.url, tables=PLAIN)
    errored = [o for o in run.outcomes if o.status == "errored"]
    assert [o.check.id for o in errored] == ["readings.no_unlucky_level"]
    assert "no_such_column" in errored[0].message
    assert sum(o.status == "passed" for o in run.outcomes) == 13


def test_table_override(duck):
    duck.seed(good_rows())
    duck.execute("ALTER TABLE readings RENAME TO elsewhere")
    run = run_tests(SEEDED, duck.url, tables={"readings": "elsewhere"})
    assert not run.failed and {o.table for o in run.outcomes} == {"elsewhere"}


def test_create_loads_the_example_mesh_and_its_error_checks_pass(tmp_path, cli):
    need_module("duckdb")
    url = f"duckdb:///{tmp_path / 'demo.duckdb'}"
    result = cli("test", SPECS, "--connection", url, "--create")
    assert result.exit_code == 0, result.output
    assert "FAILED" not in result.output and "ERRORED" not in result.output
    assert "(table checkout.orders_v1)" in result.output and "(table checkout.orders_v2)" in result.output
    # the second run finds the tables --create made, and a broken row fails naming check, value and threshold
    import duckdb

    con = duckdb.connect(str(tmp_path / "demo.duckdb"))
    # (the DDL's own constraints refuse most bad rows; a custom check guards what they cannot)
    con.execute("UPDATE marketing.campaign_attribution__attributions_v1 SET attribution_weight = 0.5 "
                "WHERE campaign_id = 'CMP-0042'")
    con.close()
    again = cli("test", SPECS, "--connection", url)
    assert again.exit_code == 1
    assert "FAILED   attributions.weights_sum_to_one: measured 1, must be = 0" in again.output
    assert again.output.count("FAILED") == 1
