"""DuckDB."""

from __future__ import annotations

from meshgen.dialects.base import Dialect, words
from meshgen.model.types import Kind


class DuckDB(Dialect):
    name = "duckdb"
    double_type = "DOUBLE"
    age_seconds = "epoch(CURRENT_TIMESTAMP) - epoch(MAX({column}))"
    # duckdb_keywords() of category `reserved` or `type_function`: neither can name a column
    # bare (`show`, `describe`, `summarize`, `pivot_longer` ...). Checked against DuckDB by the tests.
    RESERVED = words("""
        all analyse analyze and anti any array as asc asof asymmetric at authorization binary both by case cast
        check collate collation column columns concurrently constraint create cross default deferrable desc
        describe distinct do else end except false fetch for foreign freeze from full generated glob group having
        ilike in initially inner intersect into is isnull join lambda lateral leading left like limit map natural
        not notnull null offset on only or order outer overlaps pivot pivot_longer pivot_wider placing positional
        primary qualify references returning right select semi show similar some struct summarize symmetric table
        tablesample then to trailing true try_cast tuple union unique unpack unpivot using variadic verbose when
        where window with
    """)
    TYPE_MAPPING = {
        Kind.STRING: "VARCHAR", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT",
        Kind.DOUBLE: "DOUBLE", Kind.DECIMAL: "DECIMAL({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMPTZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP", Kind.BYTES: "BLOB",
        Kind.UUID: "UUID", Kind.JSON: "JSON",
    }
    TYPE_ALIASES = {**Dialect.TYPE_ALIASES, "TEXT": "string", "STRING": "string", "BYTEA": "bytes",
                    "TIMESTAMP WITH TIME ZONE": "timestamp"}
    varchar = None  # DuckDB accepts VARCHAR(n) but ignores n: a CHECK enforces maxLength instead
    array = "{item}[]"
    map = "MAP(VARCHAR, {value})"
    struct = "STRUCT({members})"
    regex_match = "regexp_matches({column}, {pattern})"
    name_parts = 2  # the catalog is the attached database file
    partition_is_storage = False  # DuckDB partitions files when writing them (COPY ... PARTITION_BY)

    # DuckDB has no HMAC function: HMAC-SHA-256 written with sha256 and bitstring xor, as
    # macros. The key is the connection's variable (SET VARIABLE meshgen_pii_key = '...'); unset
    # or empty, the query fails rather than hashing without it.
    HASH_SETUP = (
        "CREATE OR REPLACE MACRO meshgen_pii_key() AS encode(CASE WHEN coalesce(CAST("
        "getvariable('meshgen_pii_key') AS VARCHAR), '') = '' THEN error('the protected view needs its key: "
        "SET VARIABLE meshgen_pii_key = ''<secret>'' (docs/targets-sql.md)') ELSE CAST("
        "getvariable('meshgen_pii_key') AS VARCHAR) END)",
        "CREATE OR REPLACE MACRO meshgen_hmac_sha256(message, k) AS sha256(CAST(xor(CAST(k AS BIT), CAST(repeat("
        "unhex('5c'), 64) AS BIT)) AS BLOB) || unhex(sha256(CAST(xor(CAST(k AS BIT), CAST(repeat(unhex('36'), 64) "
        "AS BIT)) AS BLOB) || message)))",
        "CREATE OR REPLACE MACRO meshgen_pii_hash(message) AS meshgen_hmac_sha256(message, unhex(rpad(hex("
        "CASE WHEN octet_length(meshgen_pii_key()) > 64 THEN unhex(sha256(meshgen_pii_key())) "
        "ELSE meshgen_pii_key() END), 128, '0')))",
    )
    HASH_BYTES = "meshgen_pii_hash({column})"
    HASH_TEXT = "meshgen_pii_hash(encode(CAST({column} AS VARCHAR)))"
