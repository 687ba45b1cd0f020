"""Issue 9.6: `hash` and `tokenize` are a keyed hash (HMAC-SHA-256) whose key the platform
supplies, so a masked e-mail is not sha256("ana@example.com") that anyone can recompute and join
on. The generated views run on real DuckDB and PostgreSQL with a key set: the value equals the
HMAC Python computes, differs from the unkeyed SHA-256 and from the value under another key, and
without the key the query fails instead of hashing without it."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest

from meshgen.api import build
from tests.conftest import need_module

PRODUCT = """apiVersion: meshgen/v1
kind: DataProduct
domain: crm
name: people
version: 1.0.0
owner: {team: crm-team, email: crm@example.com}
description: {purpose: People with protected contact data.}
datasets:
  - name: people
    description: One row per person.
    primaryKey: [id]
    fields:
      - {name: id, type: long, required: true, description: Person.}
      - {name: email, type: string, pii: true, classification: confidential, protection: hash, description: E-mail.}
      - {name: phone, type: string, pii: true, classification: confidential, protection: tokenize, description: Phone.}
      - {name: photo, type: bytes, pii: true, classification: confidential, protection: hash, description: Photo.}
"""
ROWS = [(1, "ana@example.com", "+4915112345678", b"\x00\xffjpeg"), (2, "bo@example.com", None, None)]
KEY, OTHER_KEY = "k3y-from-the-platform", "another-key"


def _hmac(key: str, value: str | bytes | None) -> str | None:
    if value is None:
        return None
    data = value.encode() if isinstance(value, str) else value
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def ddl(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("keyed") / "mesh"
    (root / "crm/people/v1").mkdir(parents=True)
    (root / "crm/people/v1/dataproduct.yaml").write_text(PRODUCT, encoding="utf-8")
    (root / "meshgen.yaml").write_text("name: m\ntargets:\n  sql: {dialects: [duckdb, postgres]}\n")
    out = root.parent / "out"
    build(root, output=out)
    return {d: (out / f"crm/people/v1/sql/{d}/people.sql").read_text(encoding="utf-8") for d in ("duckdb", "postgres")}


def _check(rows_for) -> None:
    """rows_for(key) → the protected view's (email, phone, photo) rows, ordered by id."""
    keyed, other = rows_for(KEY), rows_for(OTHER_KEY)
    for (_, email, phone, photo), got, got_other in zip(ROWS, keyed, other):
        assert list(got) == [_hmac(KEY, email), _hmac(KEY, phone), _hmac(KEY, photo)]
        assert got[0] != hashlib.sha256(email.encode()).hexdigest()
        assert got[0] != got_other[0] and got_other[0] == _hmac(OTHER_KEY, email)


def test_generated_sql_has_no_unkeyed_hash(ddl):
    for column in ("email", "phone", "photo"):
        assert f"meshgen_pii_hash(encode(CAST({column} AS VARCHAR)))" in ddl["duckdb"] or \
            f"meshgen_pii_hash({column})" in ddl["duckdb"]
        assert f"hmac(convert_to(CAST({column} AS TEXT), 'UTF8')" in ddl["postgres"] or \
            f"hmac({column}," in ddl["postgres"]
        for text in ddl.values():
            assert f"sha256(CAST({column}" not in text and f"sha256(convert_to(CAST({column}" not in text


def test_duckdb_view_is_hmac_keyed_by_the_connection_variable(ddl):
    duckdb = need_module("duckdb")
    con = duckdb.connect()
    for _ in range(2):  # re-runnable
        con.execute(ddl["duckdb"])
    for row in ROWS:
        con.execute("INSERT INTO crm.people_v1 VALUES (?, ?, ?, ?)", list(row))
    query = "SELECT email, phone, photo FROM crm.people_v1_protected ORDER BY id"
    with pytest.raises(duckdb.Error, match="meshgen_pii_key"):
        con.execute(query).fetchall()  # no key: fails, never hashes without it
    con.execute("SET VARIABLE meshgen_pii_key = ''")
    with pytest.raises(duckdb.Error, match="meshgen_pii_key"):
        con.execute(query).fetchall()

    def rows_for(key: str):
        con.execute("SET VARIABLE meshgen_pii_key = ?", [key])
        return con.execute(query).fetchall()

    _check(rows_for)
    long_key = "x" * 100  # longer than SHA-256's block: HMAC hashes the key first
    assert rows_for(long_key)[0][0] == _hmac(long_key, ROWS[0][1])


def test_postgres_view_is_pgcrypto_hmac_keyed_by_a_setting(ddl, postgres_dsn):
    psycopg = need_module("psycopg")
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS keyed_hash")
        admin.execute("CREATE DATABASE keyed_hash")
    dsn = postgres_dsn.replace("dbname=postgres", "dbname=keyed_hash")
    with psycopg.connect(dsn, autocommit=True) as con:
        for _ in range(2):
            con.execute(ddl["postgres"])
        for row in ROWS:
            con.execute("INSERT INTO crm.people_v1 VALUES (%s, %s, %s, %s)", list(row))
        query = "SELECT email, phone, photo FROM crm.people_v1_protected ORDER BY id"
        with pytest.raises(psycopg.Error, match="meshgen.pii_key"):
            con.execute(query).fetchall()
        con.execute("SET meshgen.pii_key = ''")  # empty: NULL, not a hash without a key
        assert con.execute(query).fetchall() == [(None, None, None)] * len(ROWS)

        def rows_for(key: str):
            con.execute("SELECT set_config('meshgen.pii_key', %s, false)", [key])
            return con.execute(query).fetchall()

        _check(rows_for)
