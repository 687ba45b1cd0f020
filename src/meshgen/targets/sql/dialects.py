"""SQL dialects as small tables: a type mapping plus the few flags where warehouses differ.

Like sqlglot's dialects, each warehouse is a subclass that extends its parent's tables
(`Redshift(Postgres)`), and the base class holds the behaviour. The mapping is meshgen's own:
sqlglot is used by the tests to re-parse the output, not to choose types (it passes
dialect-invalid types through unchanged).

`column_type` returns the dialect's type for a spec type and records, in `losses`, every
part of the spec's meaning the type cannot carry (element types of a JSON fallback, NOT NULL
inside a struct, enum symbols of nested fields, ...). The target turns losses into warnings.
"""

from __future__ import annotations

import re
from typing import ClassVar

from meshgen.model.types import DataType, Kind

# Words that must be quoted as identifiers in at least one of the dialects (a union keeps
# names identical across dialects: a column is quoted everywhere or nowhere).
RESERVED = frozenset("""
all alter analyse analyze and any array as asc asymmetric at authorization between binary both by case cast check
collate collation column comment concurrently constraint create cross current current_catalog current_date
current_role current_schema current_time current_timestamp current_user default deferrable delete desc distinct
do else end enum except exists extract false fetch for foreign freeze from full grant group groupings having
hash if ilike in initially inner insert intersect interval into is isnull join lateral leading left like limit
localtime localtimestamp map merge minus natural not notnull null of offset on only or order outer over
overlaps partition pivot placing primary qualify range recursive references regexp rename returning right rlike
rollup row rows sample select session_user set similar some sort struct symmetric system_user table tablesample
then to top trailing true truncate union unique unknown unnest unpivot update user using values variadic
verbose view when where window with within
""".split())

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


class Dialect:
    """The common behaviour; subclasses only change tables and flags."""

    name: ClassVar[str]
    # Scalar kinds; DECIMAL is a format with {p} and {s}.
    TYPE_MAPPING: ClassVar[dict[Kind, str]] = {}
    varchar: ClassVar[str | None] = "VARCHAR({n})"   # maxLength → this; None: no length type
    varchar_bytes: ClassVar[bool] = False            # lengths count bytes (Redshift), not characters
    varchar_limit: ClassVar[int | None] = None
    array: ClassVar[str | None] = None               # "{item}[]", "ARRAY<{item}>"; None: fallback
    array_items: ClassVar[str] = "any"               # "any" | "scalar" | "no_array"
    map: ClassVar[str | None] = None                 # "MAP({value})"
    struct: ClassVar[str | None] = None              # "STRUCT({members})" with member_format
    member_format: ClassVar[str] = "{name} {type}"
    nested_not_null: ClassVar[bool] = False          # a struct member may be NOT NULL
    member_comment: ClassVar[str | None] = None      # " COMMENT {text}": a member's description, inline
    array_not_null: ClassVar[bool] = True            # an array column may be NOT NULL
    fallback: ClassVar[dict[Kind, str]] = {}         # semi-structured stand-in for complex kinds
    identifier_quote: ClassVar[str] = '"'
    string_escape: ClassVar[str] = "standard"        # "standard" ('' only) | "backslash" | "backslash_doubled"
    check_constraints: ClassVar[str | None] = "inline"  # "inline" | "alter" | None
    regex_match: ClassVar[str] = "{column} ~ {pattern}"  # a search (unanchored), as in JSON Schema
    unique_constraint: ClassVar[bool] = True
    primary_key: ClassVar[str] = "PRIMARY KEY ({columns})"  # a table constraint, never inline
    comments: ClassVar[str] = "comment_on"           # "comment_on" | "inline" | "options"
    masking: ClassVar[str] = "view"                  # "view" | "policy"
    defaults: ClassVar[bool] = True

    # ---- Names and literals ---------------------------------------------------------------

    def quote(self, name: str) -> str:
        """A name as an identifier: bare when it is a plain lower-case word, else quoted."""
        if _PLAIN.fullmatch(name) and name not in RESERVED:
            return name
        q = self.identifier_quote
        return q + name.replace("\x00", "").replace(q, q + q) + q

    def literal(self, value: object) -> str:
        """A string literal that carries any text safely (quotes, backslashes, newlines, `*/`)."""
        text = str(value).replace("\x00", "")
        if self.string_escape == "standard":
            return "'" + text.replace("'", "''") + "'"
        if self.string_escape == "backslash_doubled":  # backslash is an escape, '' still works
            return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
        out = []
        for ch in text:
            if ch == "\\":
                out.append("\\\\")
            elif ch == "'":
                out.append("\\'")
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\r":
                out.append("\\r")
            elif ch == "\t":
                out.append("\\t")
            elif ord(ch) < 0x20 or ord(ch) == 0x7F:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(ch)
        return "'" + "".join(out) + "'"

    def literal_body(self, value: object) -> str:
        """The inside of a string literal (for tools that add the quotes themselves, like dbt's accepted_values)."""
        return self.literal(value)[1:-1]

    # ---- Types ----------------------------------------------------------------------------

    def column_type(self, t: DataType, losses: list[str], where: str, max_length: int | None = None,
                    nested: bool = False, symbols_tested: bool = False, notes: list[str] | None = None) -> str:
        """`symbols_tested`: a top-level enum's symbols are checked elsewhere (a dbt test).
        `notes`: when given, member descriptions are written inline where the dialect can, and the
        others are collected here as "path: description" for the column comment."""
        kind = t.kind
        if kind is Kind.STRING and max_length is not None:
            return self.string_type(max_length, losses, where, nested)
        if kind is Kind.ENUM:
            if nested or not (self.check_constraints or symbols_tested):
                losses.append(f"the symbols of {where} are not enforced")
            return self.enum_type(t.symbols)
        if kind is Kind.DECIMAL:
            return self.decimal_type(t.precision, t.scale)
        if kind in self.TYPE_MAPPING:
            return self.TYPE_MAPPING[kind]
        if kind is Kind.ARRAY:
            item = t.items
            ok = self.array is not None and (
                self.array_items == "any"
                or (self.array_items == "scalar" and not item.kind.is_complex and item.kind is not Kind.JSON)
                or (self.array_items == "no_array" and item.kind is not Kind.ARRAY))
            if ok:
                return self.array.format(item=self.column_type(item, losses, f"{where}[]", nested=True, notes=notes))
        elif kind is Kind.MAP and self.map is not None:
            return self.map.format(value=self.column_type(t.values, losses, f"{where}{{}}", nested=True, notes=notes))
        elif kind is Kind.STRUCT and self.struct is not None:
            return self.struct.format(members=", ".join(self.member(f, losses, where, notes) for f in t.fields))
        if notes is not None:
            notes.extend(member_notes(t, where))
        fallback = self.fallback[kind]
        losses.append(f"{where} is stored as {fallback}: the types inside are not enforced")
        return fallback

    def member(self, f, losses: list[str], where: str, notes: list[str] | None = None) -> str:
        path = f"{where}.{f.name}"
        if notes is not None and f.description and not self.member_comment:
            notes.append(f"{path}: {f.description}")
        text = self.member_format.format(name=self.quote(f.name), type=self.column_type(
            f.data_type, losses, path, f.maxLength, nested=True, notes=notes))
        for key in ("minimum", "maximum", "minLength", "pattern"):
            value = getattr(f, key)
            if value is not None and not (key == "minLength" and value == 0):  # minLength 0 always holds
                losses.append(f"{key} {value!r} of {path} is not enforced")
        if f.required:
            if self.nested_not_null and (self.array_not_null or f.data_type.kind is not Kind.ARRAY):
                text += " NOT NULL"
            elif f.data_type.kind is not Kind.ARRAY or self.array_not_null:
                losses.append(f"NOT NULL of {path} is not enforced")
        if notes is not None and f.description and self.member_comment:
            text += self.member_comment.format(text=self.literal(f.description))
        return text

    def string_type(self, n: int, losses: list[str], where: str, nested: bool) -> str:
        if self.varchar is None:
            if nested or not self.check_constraints:
                losses.append(f"maxLength {n} of {where} is not enforced")
            return self.TYPE_MAPPING[Kind.STRING]
        if self.varchar_bytes:
            n *= 4  # UTF-8: up to 4 bytes per character
        if self.varchar_limit is not None:
            n = min(n, self.varchar_limit)
        return self.varchar.format(n=n)

    def enum_type(self, symbols: tuple[str, ...]) -> str:
        return self.TYPE_MAPPING[Kind.STRING]

    def decimal_type(self, p: int, s: int) -> str:
        return self.TYPE_MAPPING[Kind.DECIMAL].format(p=p, s=s)

    def as_text(self, column: str, t: DataType) -> str:
        """The column as text, for length and pattern checks (a uuid column is not text everywhere)."""
        return column if t.kind is Kind.STRING else f"CAST({column} AS {self.TYPE_MAPPING[Kind.STRING]})"

    # ---- Table options --------------------------------------------------------------------

    def partition_clause(self, columns: list[tuple[str, DataType]]) -> tuple[list[str], str | None]:
        """(clauses after the column list, a reason when partitioning can't be expressed)."""
        return [], f"{self.name} has no table partitioning"

    # ---- Personal data --------------------------------------------------------------------

    # How a protected view hashes a column, as SQL with a {column} placeholder: bytes, other
    # scalars as text, and nested values (with JSON where the warehouse stores documents).
    HASH_BYTES = ""
    HASH_TEXT = ""
    HASH_NESTED = ""  # empty: nested values are hashed like text
    json_is_document = False

    def hash_expr(self, column: str, t: DataType) -> str:
        if not self.HASH_TEXT:
            raise NotImplementedError(f"{self.name} protects columns another way")
        nested = t.kind.is_complex or (self.json_is_document and t.kind is Kind.JSON)
        template = self.HASH_BYTES if t.kind is Kind.BYTES else (self.HASH_NESTED if nested and self.HASH_NESTED
                                                                  else self.HASH_TEXT)
        return template.replace("{column}", column)  # not str.format: quoted names may hold braces

    def masked_expr(self, column: str, t: DataType, sql_type: str) -> str:
        if t.kind in (Kind.STRING, Kind.UUID, Kind.ENUM):
            return f"CASE WHEN {column} IS NULL THEN NULL ELSE '***' END"
        return self.null_expr(sql_type)

    def null_expr(self, sql_type: str) -> str:
        return f"CAST(NULL AS {sql_type})"


def member_notes(t: DataType, where: str) -> list[str]:
    """"path: description" for every described member inside a type (for a column comment)."""
    if t.kind is Kind.ARRAY:
        return member_notes(t.items, f"{where}[]")
    if t.kind is Kind.MAP:
        return member_notes(t.values, f"{where}{{}}")
    out: list[str] = []
    for f in t.fields or ():
        path = f"{where}.{f.name}"
        if f.description:
            out.append(f"{path}: {f.description}")
        out.extend(member_notes(f.data_type, path))
    return out


class Postgres(Dialect):
    name = "postgres"
    TYPE_MAPPING = {
        Kind.STRING: "TEXT", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "REAL",
        Kind.DOUBLE: "DOUBLE PRECISION", Kind.DECIMAL: "NUMERIC({p},{s})", Kind.BOOLEAN: "BOOLEAN",
        Kind.DATE: "DATE", Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMPTZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP",
        Kind.BYTES: "BYTEA", Kind.UUID: "UUID", Kind.JSON: "JSONB",
    }
    array = "{item}[]"
    array_items = "scalar"
    fallback = {Kind.ARRAY: "JSONB", Kind.MAP: "JSONB", Kind.STRUCT: "JSONB"}

    def partition_clause(self, columns):
        # A partitioned PostgreSQL table needs its primary key to hold the partition columns and
        # a partition for every row; the target adds a DEFAULT partition (see the template).
        names = ", ".join(c for c, _ in columns)
        return [f"PARTITION BY RANGE ({names})"], None

    HASH_BYTES = "encode(sha256({column}), 'hex')"
    HASH_TEXT = "encode(sha256(convert_to(CAST({column} AS TEXT), 'UTF8')), 'hex')"


class Redshift(Postgres):
    name = "redshift"
    TYPE_MAPPING = {
        **Postgres.TYPE_MAPPING,
        Kind.STRING: "VARCHAR(MAX)", Kind.BYTES: "VARBYTE", Kind.UUID: "CHAR(36)", Kind.JSON: "SUPER",
    }
    varchar_bytes = True
    varchar_limit = 65535
    array = None
    fallback = {Kind.ARRAY: "SUPER", Kind.MAP: "SUPER", Kind.STRUCT: "SUPER"}
    string_escape = "backslash_doubled"
    check_constraints = None

    def enum_type(self, symbols):
        return f"VARCHAR({max(len(s.encode('utf-8')) for s in symbols)})"

    def partition_clause(self, columns):
        # No partitions; a sort key gives the same block pruning on the partition columns.
        return [f"SORTKEY ({', '.join(c for c, _ in columns)})"], None

    HASH_BYTES = "SHA2(TO_HEX({column}), 256)"
    HASH_TEXT = "SHA2(CAST({column} AS VARCHAR(MAX)), 256)"
    HASH_NESTED = "SHA2(JSON_SERIALIZE({column}), 256)"
    json_is_document = True


class DuckDB(Dialect):
    name = "duckdb"
    TYPE_MAPPING = {
        Kind.STRING: "VARCHAR", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT",
        Kind.DOUBLE: "DOUBLE", Kind.DECIMAL: "DECIMAL({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMPTZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP", Kind.BYTES: "BLOB",
        Kind.UUID: "UUID", Kind.JSON: "JSON",
    }
    varchar = None  # DuckDB accepts VARCHAR(n) but ignores n: a CHECK enforces maxLength instead
    array = "{item}[]"
    map = "MAP(VARCHAR, {value})"
    struct = "STRUCT({members})"

    regex_match = "regexp_matches({column}, {pattern})"

    HASH_BYTES = "sha256({column})"
    HASH_TEXT = "sha256(CAST({column} AS VARCHAR))"


class Snowflake(Dialect):
    name = "snowflake"
    TYPE_MAPPING = {
        Kind.STRING: "VARCHAR", Kind.INT: "INTEGER", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT",
        Kind.DOUBLE: "DOUBLE", Kind.DECIMAL: "NUMBER({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIME: "TIME", Kind.TIMESTAMP: "TIMESTAMP_TZ", Kind.TIMESTAMP_NTZ: "TIMESTAMP_NTZ",
        Kind.BYTES: "BINARY", Kind.UUID: "VARCHAR(36)", Kind.JSON: "VARIANT",
    }
    fallback = {Kind.ARRAY: "ARRAY", Kind.MAP: "OBJECT", Kind.STRUCT: "OBJECT"}
    string_escape = "backslash"
    check_constraints = None
    comments = "inline"
    masking = "policy"

    def partition_clause(self, columns):
        # Snowflake partitions by itself (micro-partitions); a clustering key is the declared layout.
        return [f"CLUSTER BY ({', '.join(c for c, _ in columns)})"], None

    def policy_type(self, sql_type: str) -> str:
        """A masking policy's signature type: the column type without its length or precision."""
        return sql_type.split("(")[0]


class BigQuery(Dialect):
    name = "bigquery"
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
    comments = "options"

    def quote(self, name: str) -> str:
        if _PLAIN.fullmatch(name) and name not in RESERVED:
            return name
        # BigQuery escapes inside backticks with a backslash.
        return "`" + name.replace("\x00", "").replace("\\", "\\\\").replace("`", "\\`") + "`"

    def decimal_type(self, p, s):
        if s <= 9 and p - s <= 29:
            return f"NUMERIC({p}, {s})"
        return f"BIGNUMERIC({p}, {s})"

    def partition_clause(self, columns):
        (first, t), rest = columns[0], columns[1:]
        clauses, reason = [], None
        if t.kind is Kind.DATE:
            clauses.append(f"PARTITION BY {first}")
        elif t.kind in (Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ):
            clauses.append(f"PARTITION BY DATE({first})")
        elif t.kind in (Kind.INT, Kind.LONG):
            rest = columns
            reason = f"BigQuery partitions by one date or timestamp column; {first} is clustered instead"
        else:
            rest = columns
            reason = f"BigQuery partitions by one date or timestamp column; {first} is clustered instead"
        if rest:
            if clauses and reason is None:
                reason = "BigQuery partitions by one column; the others are clustered instead"
            clauses.append(f"CLUSTER BY {', '.join(c for c, _ in rest[:4])}")
        return clauses, reason

    HASH_BYTES = "TO_HEX(SHA256({column}))"
    HASH_TEXT = "TO_HEX(SHA256(CAST({column} AS STRING)))"
    HASH_NESTED = "TO_HEX(SHA256(TO_JSON_STRING({column})))"
    json_is_document = True


class Databricks(Dialect):
    name = "databricks"
    TYPE_MAPPING = {
        Kind.STRING: "STRING", Kind.INT: "INT", Kind.LONG: "BIGINT", Kind.FLOAT: "FLOAT", Kind.DOUBLE: "DOUBLE",
        Kind.DECIMAL: "DECIMAL({p},{s})", Kind.BOOLEAN: "BOOLEAN", Kind.DATE: "DATE",
        Kind.TIMESTAMP: "TIMESTAMP", Kind.TIMESTAMP_NTZ: "TIMESTAMP_NTZ", Kind.BYTES: "BINARY",
        Kind.UUID: "STRING", Kind.JSON: "STRING",
    }
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
    comments = "inline"

    def column_type(self, t, losses, where, max_length=None, nested=False, symbols_tested=False, notes=None):
        if t.kind is Kind.TIME:
            losses.append(f"{where} is stored as STRING 'HH:MM:SS' (Spark has no time-of-day type)")
            return "STRING"
        return super().column_type(t, losses, where, max_length, nested, symbols_tested, notes)

    def partition_clause(self, columns):
        return [f"PARTITIONED BY ({', '.join(c for c, _ in columns)})"], None

    HASH_BYTES = "sha2({column}, 256)"
    HASH_TEXT = "sha2(CAST({column} AS STRING), 256)"
    HASH_NESTED = "sha2(to_json({column}), 256)"


DIALECTS: dict[str, type[Dialect]] = {d.name: d for d in (Postgres, Redshift, DuckDB, Snowflake, BigQuery, Databricks)}


def dialect(name: str) -> Dialect:
    return DIALECTS[name]()
