"""The SQL target: golden files, and every generated file checked by the real consumer —
DuckDB and PostgreSQL execute the DDL and insert every example row (and read the protected
views); sqlglot parses the Snowflake, BigQuery, Databricks and Redshift files in their dialect."""

from __future__ import annotations

import pytest

from meshgen.build import build
from meshgen.targets.sql.dialects import DuckDB, Postgres, dialect
from tests.conftest import need_module
from tests.golden import assert_same_tree
from tests.targets.sql.meshes import (ALL_DIALECTS, CASES, SOURCES, build_for_validation, duckdb_value,
                                      example_rows, insert_sql, postgres_value)

GOLDEN = sorted(p.name for p in CASES.iterdir() if (p / "input").is_dir())


@pytest.mark.parametrize("case", GOLDEN)
def test_golden(case, tmp_path):
    build(CASES / case / "input", output=tmp_path / "out")
    (tmp_path / "out" / "meshgen-manifest.json").unlink()
    assert_same_tree(CASES / case / "expected", tmp_path / "out", f"tests/targets/sql/test_sql.py::test_golden[{case}]")


@pytest.fixture(scope="module", params=sorted(SOURCES))
def built(request, tmp_path_factory):
    return build_for_validation(request.param, tmp_path_factory.mktemp(request.param))


def test_duckdb_executes_ddl_and_inserts_examples(built):
    duckdb = need_module("duckdb")
    files = list(built.sql_files("duckdb"))
    assert files, "no duckdb files were generated"
    d = DuckDB()
    for path, pf, ds in files:
        con = duckdb.connect()
        con.execute(path.read_text(encoding="utf-8"))
        rows = example_rows(ds)
        for raw, values in rows:
            con.execute(insert_sql(d, ds, "?"), [duckdb_value(values[f.name], f.data_type) for f in ds.fields])
        assert con.execute(f"SELECT count(*) FROM {d.quote(ds.name)}").fetchone()[0] == len(rows)
        if f"CREATE VIEW {d.quote(ds.name + '_protected')}" in path.read_text(encoding="utf-8"):
            assert con.execute(f"SELECT count(*) FROM {d.quote(ds.name + '_protected')}").fetchone()[0] == len(rows)
        columns = [r[0] for r in con.execute(f"DESCRIBE {d.quote(ds.name)}").fetchall()]
        assert columns == [f.name for f in ds.fields]  # quoting kept every name as written
        con.close()


def test_postgres_executes_ddl_and_inserts_examples(built, postgres_dsn):
    psycopg = need_module("psycopg")
    files = list(built.sql_files("postgres"))
    assert files, "no postgres files were generated"
    d = Postgres()
    with psycopg.connect(postgres_dsn, autocommit=True) as con:
        for i, (path, pf, ds) in enumerate(files):
            schema = f"t_{pf.product.domain}_{pf.product.name}_v{pf.product.major}_{i}".lower()
            con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            con.execute(f'CREATE SCHEMA "{schema}"')
            con.execute(f'SET search_path TO "{schema}"')
            con.execute(path.read_text(encoding="utf-8"))
            rows = example_rows(ds)
            for raw, values in rows:
                con.execute(insert_sql(d, ds, "%s"),
                            [postgres_value(values[f.name], raw.get(f.name), f.data_type) for f in ds.fields])
            assert con.execute(f"SELECT count(*) FROM {d.quote(ds.name)}").fetchone()[0] == len(rows)
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                "ORDER BY ordinal_position", [schema, ds.name]).fetchall()]
            assert columns == [f.name for f in ds.fields]
            comment = con.execute("SELECT obj_description(%s::regclass, 'pg_class')",
                                  [f'"{schema}".{d.quote(ds.name)}']).fetchone()[0]
            assert comment == (ds.description.replace("\x00", "") if ds.description else None)
            if f"CREATE VIEW {d.quote(ds.name + '_protected')}" in path.read_text(encoding="utf-8"):
                assert con.execute(f"SELECT count(*) FROM {d.quote(ds.name + '_protected')}").fetchone()[0] == len(rows)


@pytest.mark.parametrize("name", [n for n in ALL_DIALECTS])
def test_sqlglot_parses_every_file(built, name):
    sqlglot = need_module("sqlglot")
    from sqlglot import exp

    files = list(built.sql_files(name))
    assert files, f"no {name} files were generated"
    for path, pf, ds in files:
        text = path.read_text(encoding="utf-8")
        statements = sqlglot.parse(text, read=name, error_level=sqlglot.ErrorLevel.RAISE)
        create = next(s for s in statements if isinstance(s, exp.Create) and s.kind == "TABLE")
        names = [c.name for c in create.find_all(exp.ColumnDef) if c.parent is create.this]
        assert names == [f.name for f in ds.fields], path
        if ds.description and dialect(name).comments != "comment_on":
            assert ds.description.replace("\x00", "") in [lit.this for lit in create.find_all(exp.Literal)
                                                            if lit.is_string], path
