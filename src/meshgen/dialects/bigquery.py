"""Google BigQuery."""

from __future__ import annotations

from meshgen.dialects.base import Dialect, Partitioning, words
from meshgen.model.types import Kind


# HMAC's key block, xor'ed with its inner (36) or outer (5c) pad byte.
_HMAC_PAD = "(RPAD(meshgen.pii_key(), 64, b'\\x00') ^ REPEAT(b'\\x{byte}', 64))"


class BigQuery(Dialect):
    name = "bigquery"
    double_type = "FLOAT64"
    regex_search = "REGEXP_CONTAINS({column}, {pattern})"
    age_seconds = "TIMESTAMP_DIFF(CURRENT_TIMESTAMP(), TIMESTAMP(MAX({column})), SECOND)"
    # BigQuery's documented reserved keywords (GoogleSQL lexical structure).
    RESERVED = words("""
        all and any array as asc assert_rows_modified at between by case cast collate contains create cross cube
        current default define desc distinct else end enum escape except exclude exists extract false fetch
        following for from full group grouping groups hash having if ignore in inner intersect interval into is
        join lateral left like limit lookup merge natural new no not null nulls of on or order outer over
        partition preceding proto qualify range recursive respect right rollup rows select set some struct
        tablesample then to treat true unbounded union unnest using when where window with within
    """)
    TYPE_MAPPING = {
        Kind.STRING: "STRING", Kind.INT: "INT64", Kind.LONG: "INT64", Kind.FLOAT: "FLOAT64",
        Kind.DOUBLE: "FLOAT64", Kind.DECIMAL: "NUMERIC({p}, {s})", Kind.BOOLEAN: "BOOL", Kind.DATE: "DATE",
        Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMP", Kind.TIMESTAMP_NTZ: "DATETIME", Kind.BYTES: "BYTES",
        Kind.UUID: "STRING(36)", Kind.JSON: "JSON",
    }
    varchar = "STRING({n})"
    array = "ARRAY<{item}>"
    array_items = "no_array"  # BigQuery has no array of arrays
    struct = "STRUCT<{members}>"
    nested_not_null = True
    member_comment = " OPTIONS(description={text})"
    array_not_null = False  # a repeated field is never NULL (an absent array reads as [])
    fallback = {Kind.ARRAY: "JSON", Kind.MAP: "JSON"}
    identifier_quote = "`"
    string_escape = "backslash"
    check_constraints = None
    unique_constraint = False
    primary_key = "PRIMARY KEY ({columns}) NOT ENFORCED"
    comment_on = False
    column_comment = "OPTIONS(description={text})"
    column_order = ("default", "not_null", "unique", "check", "comment")
    table_comment = "OPTIONS(description={text})"
    needs_schema = True  # every table and view is named with its dataset: BigQuery has no search path

    def quoted(self, name: str) -> str:
        # BigQuery escapes inside backticks with a backslash.
        return "`" + name.replace("\x00", "").replace("\\", "\\\\").replace("`", "\\`") + "`"

    def decimal_type(self, p, s):
        if s <= 9 and p - s <= 29:
            return f"NUMERIC({p}, {s})"
        return f"BIGNUMERIC({p}, {s})"

    def partition_clause(self, columns, table):
        (first, t), rest = columns[0], columns[1:]
        clauses, reason = [], None
        if t.kind is Kind.DATE:
            clauses.append(f"PARTITION BY {first}")
        elif t.kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ):
            clauses.append(f"PARTITION BY DATE({first})")
        else:
            rest = columns
            reason = f"BigQuery partitions by one date or timestamp column; {first} is clustered instead"
        if rest:
            if clauses and reason is None:
                reason = "BigQuery partitions by one column; the others are clustered instead"
            clauses.append(f"CLUSTER BY {', '.join(c for c, _ in rest[:4])}")
        return Partitioning(clauses, reason=reason)

    # BigQuery has no HMAC function: HMAC-SHA-256 written with SHA256 and BYTES xor, keyed by
    # the routine meshgen.pii_key() (BYTES, at most 64) that the platform creates; without it
    # the view cannot be created.
    HASH_BYTES = ("TO_HEX(SHA256(CONCAT(" + _HMAC_PAD.format(byte="5c") + ", SHA256(CONCAT("
                  + _HMAC_PAD.format(byte="36") + ", {column})))))")
    HASH_TEXT = HASH_BYTES.replace("{column}", "CAST(CAST({column} AS STRING) AS BYTES)")
    HASH_NESTED = HASH_BYTES.replace("{column}", "CAST(TO_JSON_STRING({column}) AS BYTES)")
    json_is_document = True
