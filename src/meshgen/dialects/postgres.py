"""PostgreSQL."""

from __future__ import annotations

from meshgen.dialects.base import Dialect, Partitioning, words
from meshgen.model.types import Kind


_PII_KEY = "convert_to(NULLIF(current_setting('meshgen.pii_key'), ''), 'UTF8')"


class Postgres(Dialect):
    name = "postgres"
    regex_lookaround = True
    # pg_get_keywords() with catcode R (reserved) or T (reserved, but may name a function or
    # type): neither can name a column bare. Checked against a real server by the tests.
    RESERVED = words("""
        all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
        collation column concurrently constraint create cross current_catalog current_date current_role
        current_schema current_time current_timestamp current_user default deferrable desc distinct do else end
        except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into
        is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on
        only or order outer overlaps placing primary references returning right select session_user similar some
        symmetric table tablesample then to trailing true union unique user using variadic verbose when where
        window with
    """)
    TYPE_MAPPING = {
        Kind.STRING: "TEXT", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "REAL",
        Kind.DOUBLE: "DOUBLE PRECISION", Kind.DECIMAL: "NUMERIC({p},{s})", Kind.BOOLEAN: "BOOLEAN",
        Kind.DATE: "DATE", Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMPTZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP",
        Kind.BYTES: "BYTEA", Kind.UUID: "UUID", Kind.JSON: "JSONB",
    }
    TYPE_ALIASES = {**Dialect.TYPE_ALIASES, "JSON": "json", "BPCHAR": "string", "TIMETZ": "time"}
    array = "{item}[]"
    array_items = "scalar"
    fallback = {Kind.ARRAY: "JSONB", Kind.MAP: "JSONB", Kind.STRUCT: "JSONB"}
    name_parts = 2  # a connection is one database: ANALYTICS.CHECKOUT.ORDERS_V1 is CHECKOUT.ORDERS_V1
    partition_keys_in_unique = True

    def partition_clause(self, columns, table):
        # A partitioned PostgreSQL table needs a partition for every row: a DEFAULT one holds
        # them until the platform adds range partitions (docs/targets-sql.md says how).
        names = ", ".join(c for c, _ in columns)
        default = table.render(self, "_default")
        return Partitioning([f"PARTITION BY RANGE ({names})"],
                            [f"CREATE TABLE IF NOT EXISTS {default} PARTITION OF {table.render(self)} DEFAULT"])

    # pgcrypto's hmac; the key is the setting meshgen.pii_key (ALTER ROLE/DATABASE ... SET, or
    # SET in the session): unset, current_setting fails the query; empty, the value is NULL.
    HASH_SETUP = ("CREATE EXTENSION IF NOT EXISTS pgcrypto",)
    HASH_BYTES = f"encode(hmac({{column}}, {_PII_KEY}, 'sha256'), 'hex')"
    HASH_TEXT = f"encode(hmac(convert_to(CAST({{column}} AS TEXT), 'UTF8'), {_PII_KEY}, 'sha256'), 'hex')"
