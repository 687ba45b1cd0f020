"""The quality target: every check of the example mesh as a manifest and per-dialect queries.

The DuckDB queries are run by DuckDB itself against the tables the SQL target's DuckDB DDL
creates, so a query that does not parse or names a wrong column fails here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import SPECS, need_module

from meshgen.api import build
from meshgen.errors import ViolationsFound


def _build(tmp_path: Path, source: Path, targets=("quality", "sql")) -> Path:
    out = tmp_path / "out"
    build(source, output=out, targets=list(targets))
    return out


def test_manifest_lists_every_check_with_stable_ids_and_positions(tmp_path):
    out = _build(tmp_path, SPECS, ["quality"])
    manifest = json.loads((out / "checkout/orders/v1/quality/checks.json").read_text())
    ids = [c["id"] for c in manifest["checks"]]
    assert len(ids) == len(set(ids))
    by_id = {c["id"]: c for c in manifest["checks"]}
    assert {"orders.required.order_id", "orders.primary_key", "orders.enum.status", "orders.pattern.currency",
            "orders.minimum.total", "orders.max_length.customer_id", "orders.freshness", "orders.completeness",
            "orders.accuracy", "orders.orders_total_not_negative", "orders.no_duplicate_orders",
            "orders.few_missing_emails"} <= set(ids)
    fresh = by_id["orders.freshness"]
    assert (fresh["dimension"], fresh["severity"], fresh["threshold"]["op"], fresh["threshold"]["value"]) == \
        ("timeliness", "warning", "<=", 3600)
    assert fresh["source"] == {"file": "checkout/orders/v1/dataproduct.yaml", "line": 29, "column": 46}
    assert by_id["orders.few_missing_emails"]["threshold"] == {"op": "<", "value": 0.05, "as_written": "5%"}
    # {dataset} becomes the table as it is named for each dialect
    assert "FROM checkout.orders_v1 WHERE total < 0" in by_id["orders.orders_total_not_negative"]["sql"]["duckdb"]
    assert 'FROM ANALYTICS.CHECKOUT.ORDERS_V1 WHERE' in by_id["orders.orders_total_not_negative"]["sql"]["snowflake"]
    assert manifest["not_measured"] == {"orders": ["items.sku", "items.quantity", "items.unit_price"]}
    again = _build(tmp_path / "again", SPECS, ["quality"])
    assert (again / "checkout/orders/v1/quality/checks.json").read_bytes() == \
        (out / "checkout/orders/v1/quality/checks.json").read_bytes()


def test_every_duckdb_query_runs_in_duckdb_on_the_generated_tables(tmp_path):
    duckdb = need_module("duckdb")
    out = _build(tmp_path, SPECS)
    ran = 0
    for manifest_path in sorted(out.glob("*/*/v*/quality/checks.json")):
        con = duckdb.connect()
        product = manifest_path.parent.parent
        for ddl in sorted((product / "sql" / "duckdb").glob("*.sql")):
            con.execute(ddl.read_text())
        manifest = json.loads(manifest_path.read_text())
        for check in manifest["checks"]:
            value = con.execute(check["sql"]["duckdb"]).fetchone()  # on the table the DDL created
            assert value is not None and len(value) == 1, check["id"]
            ran += 1
    assert ran > 60


def test_a_lookaround_pattern_never_reaches_the_checks(tmp_path):
    """Patterns are RE2 syntax (no lookaround or backreferences), which every dialect's check
    can run: a lookahead is refused where it is written, before the quality target sees it."""
    src = tmp_path / "mesh"
    shutil.copytree(SPECS / "users", src / "users")
    (src / "meshgen.yaml").write_text("name: t\nproducts: ['**/dataproduct.yaml']\n")
    spec = src / "users/customers/v1/dataproduct.yaml"
    text = spec.read_text()
    old = 'pattern: "^\\\\+[1-9][0-9]{6,14}$"'
    assert old in text
    spec.write_text(text.replace(old, 'pattern: "^(?!0)\\\\+[1-9][0-9]{6,14}$"'))
    line = next(i for i, t in enumerate(spec.read_text().splitlines(), 1) if "(?!0)" in t)
    with pytest.raises(ViolationsFound) as refused:
        build(src, output=tmp_path / "out", targets=["quality"])
    at_pattern = [d for d in refused.value.diagnostics if d.location.line == line]
    assert [d.code for d in at_pattern] == ["SPEC004"], refused.value.diagnostics
    assert not (tmp_path / "out").exists()
