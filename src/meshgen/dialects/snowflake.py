"""Snowflake."""

from __future__ import annotations

from meshgen.dialects.base import Dialect, Partitioning, words
from meshgen.model.types import Kind


class Snowflake(Dialect):
    name = "snowflake"
    double_type = "DOUBLE"
    regex_search = "REGEXP_INSTR({column}, {pattern}) > 0"
    age_seconds = "DATEDIFF('second', MAX({column}), CURRENT_TIMESTAMP())"
    # Snowflake's documented reserved and limited keywords.
    RESERVED = words("""
        account all alter and any as between by case cast check column connect connection constraint create cross
        current current_date current_time current_timestamp current_user database delete distinct drop else exists
        false following for from full grant group gscluster having ilike in increment inner insert intersect into
        is issue join lateral left like localtime localtimestamp minus natural not null of on or order organization
        qualify regexp revoke right rlike row rows sample schema select set some start table tablesample then to
        trigger true try_cast union unique update using values view when whenever where with
    """)
    TYPE_MAPPING = {
        Kind.STRING: "VARCHAR", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT",
        Kind.DOUBLE: "DOUBLE", Kind.DECIMAL: "NUMBER({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMP_TZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP_NTZ",
        Kind.BYTES: "BINARY", Kind.UUID: "VARCHAR(36)", Kind.JSON: "VARIANT",
    }
    TYPE_ALIASES = {**Dialect.TYPE_ALIASES, "STRING": "string", "TEXT": "string", "VARBINARY": "bytes",
                    "TIMESTAMP_LTZ": "timestamp", "DATETIME": "timestamp_ntz", "TIMESTAMP": "timestamp_ntz"}
    fallback = {Kind.ARRAY: "ARRAY", Kind.MAP: "OBJECT", Kind.STRUCT: "OBJECT"}
    string_escape = "backslash"
    check_constraints = None
    comment_on = False
    column_comment = "COMMENT {text}"
    # Snowflake's documented order (sqlfluff's snowflake grammar holds it to it).
    column_order = ("not_null", "default", "masking", "unique", "check", "comment")
    table_comment = "COMMENT = {text}"
    masking = "policy"
    # No HMAC function in Snowflake: the platform supplies the keyed hash as the secure function
    # MESHGEN.PII_HASH(VARCHAR) RETURNS VARCHAR of each database (holding or reading its key);
    # without it the masking policy cannot be created.
    HASH_TEXT = "MESHGEN.PII_HASH({column})"
    HASH_BYTES = "TO_BINARY(MESHGEN.PII_HASH(HEX_ENCODE({column})), 'HEX')"
    create_policy = "CREATE MASKING POLICY IF NOT EXISTS"

    def partition_clause(self, columns, table):
        # Snowflake partitions by itself (micro-partitions); a clustering key is the declared layout.
        return Partitioning([f"CLUSTER BY ({', '.join(c for c, _ in columns)})"])
