"""Issue 9.5: SQL that deploys. Tables live where the port's location says, versions never
collide, BigQuery names carry their dataset, and the documented way to add PostgreSQL range
partitions to a table that has only its DEFAULT partition works on a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshgen.api import build
from tests.conftest import ROOT, need_module
from tests.targets.sql.meshes import build_for_validation

PRODUCT = """apiVersion: meshgen/v1
kind: DataProduct
domain: shop
name: orders
version: {major}.0.0
title: Orders
description:
  purpose: Orders partitioned by day.
owner: {{team: platform-team, email: platform@example.com}}
datasets:
  - name: orders
    description: One row per order.
    primaryKey: [order_id, day]
    partitionBy: [day]
    fields:
      - {{name: order_id, type: long, required: true, description: Order.}}
      - {{name: day, type: date, required: true, description: Day.}}
      - {{name: email, type: string, pii: true, classification: restricted, protection: mask, description: Buyer.}}
    examples:
      - {{order_id: 1, day: "2026-01-05", email: a@example.com}}
      - {{order_id: 2, day: "2026-03-01", email: b@example.com}}
outputPorts:
  - {{name: orders-table, type: table, dataset: orders, platform: snowflake, location: ANALYTICS.SHOP.ORDERS_V{major}}}
"""


def mesh(tmp_path: Path) -> Path:
    root = tmp_path / "mesh"
    for major in (1, 2):
        (root / f"v{major}").mkdir(parents=True)
        (root / f"v{major}" / "dataproduct.yaml").write_text(PRODUCT.format(major=major), encoding="utf-8")
    (root / "meshgen.yaml").write_text("name: m\ntargets:\n  sql: {dialects: [postgres, snowflake, bigquery]}\n",
                                       encoding="utf-8")
    build(root, output=tmp_path / "out")
    return tmp_path / "out"


def test_the_port_location_names_the_table_and_its_policies(tmp_path):
    out = mesh(tmp_path)
    text = (out / "shop/orders/v1/sql/snowflake/orders.sql").read_text(encoding="utf-8")
    assert text.index("CREATE SCHEMA IF NOT EXISTS ANALYTICS.SHOP;") < text.index("CREATE TABLE")
    assert "CREATE TABLE IF NOT EXISTS ANALYTICS.SHOP.ORDERS_V1 (" in text
    assert "CREATE MASKING POLICY IF NOT EXISTS ANALYTICS.SHOP.ORDERS_V1__email__pii" in text
    v2 = (out / "shop/orders/v2/sql/snowflake/orders.sql").read_text(encoding="utf-8")
    assert "ANALYTICS.SHOP.ORDERS_V2__email__pii" in v2 and "ORDERS_V1" not in v2
    # Without a port on the warehouse: the domain's schema and a version-distinct name.
    pg = (out / "shop/orders/v1/sql/postgres/orders.sql").read_text(encoding="utf-8")
    assert "CREATE TABLE IF NOT EXISTS shop.orders_v1 (" in pg
    assert "CREATE OR REPLACE VIEW shop.orders_v1_protected AS" in pg


def test_bigquery_names_every_table_and_view_with_its_dataset(tmp_path):
    sqlglot = need_module("sqlglot")
    from sqlglot import exp

    built = build_for_validation("specs", tmp_path)
    files = list(built.sql_files("bigquery"))
    assert files
    for path, pf, ds in files:
        for statement in sqlglot.parse(path.read_text(encoding="utf-8"), read="bigquery"):
            for table in statement.find_all(exp.Table):
                assert table.db, f"{path}: {table.sql('bigquery')} has no dataset"


def documented_partition_steps() -> list[str]:
    doc = (ROOT / "docs" / "targets-sql.md").read_text(encoding="utf-8")
    block = doc.split("## PostgreSQL partitions", 1)[1].split("```sql\n", 1)[1].split("```", 1)[0]
    return [s.strip() for s in block.split(";\n") if s.strip() and s.strip() not in ("BEGIN", "COMMIT")]


def test_documented_range_partitions_can_be_added_after_the_default_one(tmp_path, postgres_dsn):
    psycopg = need_module("psycopg")
    out = mesh(tmp_path)
    ddl = (out / "shop/orders/v1/sql/postgres/orders.sql").read_text(encoding="utf-8")
    assert "PARTITION OF shop.orders_v1 DEFAULT" in ddl
    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        con.execute("DROP SCHEMA IF EXISTS shop CASCADE")
        con.execute(ddl)
        con.execute("INSERT INTO shop.orders_v1 VALUES (1, '2026-01-05', 'a'), (2, '2026-03-01', 'b')")
        # The naive way fails while the DEFAULT partition holds a row of the new range ...
        with pytest.raises(psycopg.errors.CheckViolation):
            con.execute("CREATE TABLE shop.orders_v1_bad PARTITION OF shop.orders_v1 "
                        "FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')")
        # ... the documented way works, in one transaction.
        with con.transaction():
            for step in documented_partition_steps():
                con.execute(step)
        placed = dict(con.execute("SELECT order_id, tableoid::regclass::text FROM shop.orders_v1").fetchall())
        assert placed == {1: "shop.orders_v1_2026_01", 2: "shop.orders_v1_default"}
        con.execute(ddl)  # and the file still runs again
        con.execute("DROP SCHEMA shop CASCADE")


