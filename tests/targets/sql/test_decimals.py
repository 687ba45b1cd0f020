"""Issue 9.4: decimals keep their exact value. A decimal(38,s) example or default with 29 or
more digits builds (Python's default decimal context has 28), a bound such as
99999999999999999.99 reaches the CHECK constraint digit for digit, written bare or quoted,
and DuckDB and PostgreSQL enforce it exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshgen.api import build
from tests.conftest import need_module

BIG = "123456789012345678901234567890.12345678"  # 38 digits


def mesh(tmp_path: Path, maximum: str) -> Path:
    root = tmp_path / "mesh"
    (root / "p").mkdir(parents=True)
    (root / "meshgen.yaml").write_text("name: m\ntargets:\n  sql: {dialects: [duckdb, postgres]}\n", encoding="utf-8")
    (root / "p" / "dataproduct.yaml").write_text(f"""apiVersion: meshgen/v1
kind: DataProduct
domain: money
name: ledger
version: 1.0.0
title: Ledger
description:
  purpose: Amounts with every digit.
owner: {{team: platform-team, email: platform@example.com}}
datasets:
  - name: ledger
    description: One row per entry.
    primaryKey: [id]
    fields:
      - {{name: id, type: long, required: true, description: Entry.}}
      - {{name: big, type: "decimal(38,8)", default: "{BIG}", description: A 38-digit amount.}}
      - {{name: amount, type: "decimal(20,2)", maximum: {maximum}, description: Capped.}}
    examples:
      - {{id: 1, big: "-{BIG}", amount: "99999999999999999.99"}}
""", encoding="utf-8")
    build(root, output=tmp_path / "out")
    return tmp_path / "out" / "money" / "ledger" / "v1" / "sql"


@pytest.mark.parametrize("maximum", ["99999999999999999.99", '"99999999999999999.99"'])
def test_bounds_and_defaults_keep_every_digit(tmp_path, maximum):
    out = mesh(tmp_path, maximum)
    for dialect in ("duckdb", "postgres"):
        text = (out / dialect / "ledger.sql").read_text(encoding="utf-8")
        assert "amount <= 99999999999999999.99)" in text, text
        assert f"CAST('{BIG}' AS" in text


def test_duckdb_holds_the_exact_bound(tmp_path):
    duckdb = need_module("duckdb")
    out = mesh(tmp_path, "99999999999999999.99")
    con = duckdb.connect()
    con.execute((out / "duckdb" / "ledger.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO money.ledger_v1 (id, amount) VALUES (1, 99999999999999999.99)")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO money.ledger_v1 (id, amount) VALUES (2, 99999999999999999.99 + 0.01)")
    assert str(con.execute("SELECT big FROM money.ledger_v1").fetchone()[0]) == BIG
