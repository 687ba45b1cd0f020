"""Reserved words per dialect, judged by the databases themselves: every keyword DuckDB's
`duckdb_keywords()` and PostgreSQL's `pg_get_keywords()` list names a column once quoted as
the dialect quotes it (in CREATE TABLE, COMMENT ON, a view, an INSERT and a SELECT), and the
dialect's list holds every keyword the database will not take bare. NAM002 and the DDL agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from meshgen.api import build, check
from meshgen.dialects import DIALECTS, DuckDB, Postgres, dialect, reserved_anywhere
from tests.conftest import need_module

ISSUE_9_3 = ["show", "describe", "summarize", "lambda", "pivot_longer", "pivot_wider"]


def every_keyword_table(d, words: list[str]) -> list[str]:
    """Statements that use each word as a column the way the sql target writes names."""
    cols = [d.quote(w) for w in words]
    return [
        "CREATE TABLE kw (" + ", ".join(f"{c} INTEGER" for c in cols) + ")",
        *(f"COMMENT ON COLUMN kw.{c} IS 'a keyword'" for c in cols),
        "CREATE VIEW kw_view AS SELECT " + ", ".join(cols) + " FROM kw",
        "INSERT INTO kw (" + ", ".join(cols) + ") VALUES (" + ", ".join("1" for _ in cols) + ")",
        "SELECT " + ", ".join(cols) + " FROM kw_view",
    ]


def test_duckdb_takes_every_keyword_as_a_column_and_the_list_holds_its_reserved_words():
    duckdb = need_module("duckdb")
    con = duckdb.connect()
    rows = con.execute("SELECT keyword_name, keyword_category FROM duckdb_keywords()").fetchall()
    must_quote = {k for k, c in rows if c in ("reserved", "type_function")}
    assert must_quote - DuckDB.RESERVED == set()
    assert set(ISSUE_9_3) <= DuckDB.RESERVED
    for statement in every_keyword_table(DuckDB(), sorted({k for k, _ in rows})):
        con.execute(statement)
    assert con.execute("SELECT count(*) FROM kw").fetchone()[0] == 1
    # And the words left bare really are taken bare.
    bare = sorted({k for k, _ in rows} - DuckDB.RESERVED)
    con.execute("CREATE TABLE bare (" + ", ".join(f"{w} INTEGER" for w in bare) + ")")


def test_postgres_takes_every_keyword_as_a_column_and_the_list_holds_its_reserved_words(postgres_dsn):
    psycopg = need_module("psycopg")
    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        rows = con.execute("SELECT word, catcode FROM pg_get_keywords()").fetchall()
        must_quote = {w for w, c in rows if c in ("R", "T")}
        assert must_quote - Postgres.RESERVED == set()
        con.execute("DROP SCHEMA IF EXISTS kw CASCADE")
        con.execute("CREATE SCHEMA kw")
        con.execute("SET search_path TO kw")
        for statement in every_keyword_table(Postgres(), sorted({w for w, _ in rows})):
            con.execute(statement)
        assert con.execute("SELECT count(*) FROM kw").fetchone()[0] == 1
        bare = sorted({w for w, _ in rows} - Postgres.RESERVED)
        con.execute("CREATE TABLE bare (" + ", ".join(f"{w} INTEGER" for w in bare) + ")")
        con.execute("DROP SCHEMA kw CASCADE")


@pytest.mark.parametrize("name", sorted(DIALECTS))
def test_every_dialect_quotes_its_reserved_words(name):
    d = dialect(name)
    assert d.RESERVED, f"{name} lists no reserved words"
    for word in d.RESERVED:
        assert d.quote(word) != word, (name, word)


def product(tmp_path: Path, names: list[str], allow: list[str] | None) -> Path:
    root = tmp_path / "mesh"
    (root / "p").mkdir(parents=True)
    policy = f"governance:\n  rules:\n    NAM002:\n      options: {{allow: [{', '.join(allow)}]}}\n" if allow else ""
    (root / "meshgen.yaml").write_text("name: m\ntargets:\n  sql: {dialects: [duckdb, postgres]}\n" + policy,
                                       encoding="utf-8")
    fields = "\n".join(f"      - {{name: {n}, type: string, description: A {n}.}}" for n in names)
    (root / "p" / "dataproduct.yaml").write_text(f"""apiVersion: meshgen/v1
kind: DataProduct
domain: testing
name: keywords
version: 1.0.0
title: Keywords
description:
  purpose: Field names that are keywords of a warehouse.
owner: {{team: platform-team, email: platform@example.com}}
datasets:
  - name: words
    description: Keyword columns.
    primaryKey: [id]
    fields:
      - {{name: id, type: long, required: true, description: Row.}}
{fields}
    examples:
      - {{id: 1, {', '.join(f'{n}: x' for n in names)}}}
""", encoding="utf-8")
    return root


def test_nam002_names_the_warehouses_that_reserve_a_field_name(tmp_path):
    result = check(product(tmp_path, ISSUE_9_3, allow=None))
    found = sorted(d.message for d in result.diagnostics if d.code == "NAM002")
    assert len(found) == len(ISSUE_9_3)
    assert all("duckdb" in m for m in found), found


def test_nam002_and_the_ddl_agree():
    """Every plain word some dialect's DDL quotes as reserved is a NAM002 word, and back."""
    quoted = {w for name in DIALECTS for w in dialect(name).RESERVED}
    assert set(reserved_anywhere()) == quoted


def test_issue_9_3_keyword_fields_build_ddl_duckdb_executes(tmp_path):
    duckdb = need_module("duckdb")
    result = build(product(tmp_path, ISSUE_9_3, allow=ISSUE_9_3), output=tmp_path / "out")
    assert not result.diagnostics.has_errors, [d.message for d in result.diagnostics]
    [sql] = (tmp_path / "out").rglob("duckdb/words.sql")
    con = duckdb.connect()
    con.execute(sql.read_text(encoding="utf-8"))
    columns = [r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'keywords__words_v1' "
                                         "ORDER BY column_index").fetchall()]
    assert columns == ["id", *ISSUE_9_3]
