"""Databricks (Spark SQL on Delta tables)."""

from __future__ import annotations

from meshgen.dialects.base import Dialect, Partitioning, words
from meshgen.model.types import Kind


_PII_KEY = "CAST(secret('meshgen', 'pii_key') AS BINARY)"


class Databricks(Dialect):
    name = "databricks"
    double_type = "DOUBLE"
    regex_lookaround = True
    age_seconds = "unix_timestamp(current_timestamp()) - unix_timestamp(MAX({column}))"
    # Databricks' documented reserved words and the ANSI reserved keywords Spark enforces in
    # ANSI mode.
    RESERVED = words("""
        all and anti any as authorization both case cast check collate column constraint create cross current_date
        current_time current_timestamp current_user default distinct else end escape except false fetch filter for
        foreign from full grant group having in inner intersect into is join lateral leading left like minus
        natural not null offset on only or order outer overlaps primary references right select semi session_user
        some table then time to trailing true union unique unknown user using when where with
    """)
    TYPE_MAPPING = {
        Kind.STRING: "STRING", Kind.INT: "INT", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT", Kind.DOUBLE: "DOUBLE",
        Kind.DECIMAL: "DECIMAL({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIMESTAMP: "TIMESTAMP", Kind.TIMESTAMP_NTZ: "TIMESTAMP_NTZ", Kind.BYTES: "BINARY",
        Kind.UUID: "STRING", Kind.JSON: "STRING",
    }
    TYPE_ALIASES = {**Dialect.TYPE_ALIASES, "DOUBLE": "double", "LONG": "long", "SHORT": "int", "BYTE": "int"}
    array = "ARRAY<{item}>"
    map = "MAP<STRING, {value}>"
    struct = "STRUCT<{members}>"
    member_format = "{name}: {type}"
    nested_not_null = True
    member_comment = " COMMENT {text}"
    fallback = {Kind.TIME: "STRING"}  # Spark has no time-of-day type: 'HH:MM:SS' text
    identifier_quote = "`"
    string_escape = "backslash"
    check_constraints = "alter"
    regex_match = "{column} RLIKE {pattern}"
    unique_constraint = False
    primary_key = "CONSTRAINT {name} PRIMARY KEY ({columns})"
    comment_on = False
    column_comment = "COMMENT {text}"
    table_comment = "COMMENT {text}"
    storage = "USING DELTA"
    defaults_option = "TBLPROPERTIES ('delta.feature.allowColumnDefaults' = 'supported')"

    def column_type(self, t, losses, where, max_length=None, nested=False, symbols_tested=False, notes=None):
        if t.kind is Kind.TIME:
            losses.append(f"{where} is stored as STRING 'HH:MM:SS' (Spark has no time-of-day type)")
            return "STRING"
        return super().column_type(t, losses, where, max_length, nested, symbols_tested, notes)

    def partition_clause(self, columns, table):
        return Partitioning([f"PARTITIONED BY ({', '.join(c for c, _ in columns)})"])

    # hmac (Databricks Runtime 19+) keyed by the secret pii_key of the secret scope meshgen:
    # secret() fails the query when it is missing (and hmac refuses an empty key).
    HASH_BYTES = f"lower(hex(hmac({_PII_KEY}, {{column}})))"
    HASH_TEXT = f"lower(hex(hmac({_PII_KEY}, CAST(CAST({{column}} AS STRING) AS BINARY))))"
    HASH_NESTED = f"lower(hex(hmac({_PII_KEY}, CAST(to_json({{column}}) AS BINARY))))"
