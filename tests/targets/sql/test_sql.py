"""The SQL target: golden files, and every generated file checked by the real consumer —
DuckDB and PostgreSQL execute the DDL and insert every example row (and read the protected
views); sqlglot parses the Snowflake, BigQuery, Databricks and Redshift files in their dialect."""

from __future__ import annotations

import pytest

from meshgen.api import build
from meshgen.model.values import to_python
from meshgen.dialects import DuckDB, Postgres, dialect
from tests.conftest import need_module
from tests.golden import assert_same_tree
from tests.targets.sql.meshes import (
    ALL_DIALECTS,
    CASES,
    SOURCES,
    build_for_validation,
    duckdb_value,
    example_rows,
    insert_sql,
    postgres_value,
    violations,
)

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


def test_checks_reject_values_outside_the_constraints(built, postgres_dsn):
    """minimum, maximum, minLength and pattern are CHECK constraints: a row breaking one is refused."""
    duckdb = need_module("duckdb")
    psycopg = need_module("psycopg")
    tried = 0
    with psycopg.connect(postgres_dsn, autocommit=True) as pg:
        for dialect_name, d in (("duckdb", DuckDB()), ("postgres", Postgres())):
            for i, (path, pf, ds) in enumerate(built.sql_files(dialect_name)):
                for f, row in violations(ds):
                    values = {g.name: None if row.get(g.name) is None else to_python(row[g.name], g.data_type)
                              for g in ds.fields}  # not record_to_python: it refuses the broken value
                    tried += 1
                    if dialect_name == "duckdb":
                        con = duckdb.connect()
                        con.execute(path.read_text(encoding="utf-8"))
                        with pytest.raises(duckdb.ConstraintException, match="CHECK"):
                            con.execute(insert_sql(d, ds, "?"),
                                        [duckdb_value(values[g.name], g.data_type) for g in ds.fields])
                        con.close()
                        continue
                    schema = f"chk_{pf.product.name}_{pf.product.major}_{i}_{tried}".lower()
                    pg.execute(f'CREATE SCHEMA "{schema}"')
                    pg.execute(f'SET search_path TO "{schema}"')
                    pg.execute(path.read_text(encoding="utf-8"))
                    with pytest.raises(psycopg.errors.CheckViolation):
                        pg.execute(insert_sql(d, ds, "%s"), [postgres_value(values[g.name], row.get(g.name), g.data_type)
                                                             for g in ds.fields])
                    pg.execute(f'DROP SCHEMA "{schema}" CASCADE')
    if built.out.parent.name.startswith(("specs", "hostile", "all_types")):
        assert tried, "no constraint was tried"


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
        if ds.description and not dialect(name).comment_on:
            assert ds.description.replace("\x00", "") in [lit.this for lit in create.find_all(exp.Literal)
                                                            if lit.is_string], path


def test_constraints_without_check_are_reported(tmp_path):
    """Where a dialect has no CHECK constraints, minLength and pattern are named in a warning
    at the spec key, never dropped in silence; where it has them, nothing is reported."""
    result = build(CASES / "hostile" / "input", output=tmp_path / "out")
    found = {d.message.split(":")[0]: d for d in result.diagnostics if d.code == "SQL006" and "notes.code" in d.message}
    assert sorted(found) == ["bigquery", "redshift", "snowflake"]
    for d in found.values():
        assert "minLength 1" in d.message and "pattern" in d.message
        assert (d.location.line, d.hint is not None) == (39, True)
