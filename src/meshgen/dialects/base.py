"""The common behaviour of every SQL dialect; each warehouse is a small subclass in this package.

Like sqlglot's dialects, a warehouse is a subclass that extends its parent's tables
(`Redshift(Postgres)`) and registers itself by being defined: `DIALECTS` (and so the spec's
table platforms, the `sql` and `dbt` targets' options, NAM002's reserved words and the docs'
type table) is whatever subclasses exist. The mapping is meshgen's own: sqlglot and sqlfluff
are used by the tests to judge the output, not to choose it.

`column_type` returns the dialect's type for a meshgen type and records, in `losses`, every
part of the meaning the type cannot carry (element types of a JSON fallback, NOT NULL
inside a struct, enum symbols of nested fields, ...); the target turns losses into warnings.
`meshgen_type` reads a SQL type back (for importers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from meshgen.model.types import DataType, Kind

_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# name → dialect class, in the order the subclasses were defined.
DIALECTS: dict[str, type["Dialect"]] = {}


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class TableName:
    """Where a table lives: its schema's parts (catalog first) and its own name, as written.
    Related objects (the protected view, a masking policy, a partition) live beside it."""

    schema: tuple[str, ...]
    table: str
    from_location: bool = False  # as a port's location says: bare where the warehouse reads it so

    def part(self, d: "Dialect", text: str) -> str:
        return d.location_part(text) if self.from_location else d.quote(text)

    def render(self, d: "Dialect", suffix: str = "") -> str:
        return ".".join([self.part(d, p) for p in self.schema] + [self.part(d, self.table + suffix)])

    def schema_name(self, d: "Dialect") -> str | None:
        return ".".join(self.part(d, p) for p in self.schema) or None

    @property
    def flat(self) -> str:
        """The whole name as one word, for names that must be unique in a schema (constraints)."""
        return self.table


@dataclass
class Partitioning:
    """How a dialect declares a table's partitioning: clauses after the column list,
    statements after the table, and why it is only partly expressed (None: fully)."""

    clauses: list[str]
    after: list[str] = field(default_factory=list)
    reason: str | None = None


class Dialect:
    """The common behaviour; subclasses only change tables and flags."""

    name: ClassVar[str]
    # Words this warehouse will not read as a column or table name unless quoted.
    RESERVED: ClassVar[frozenset[str]] = frozenset()
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
    comment_on: ClassVar[bool] = True                # descriptions as COMMENT ON statements
    # The order of a column's clauses after its type (a clause the dialect lacks is skipped).
    column_order: ClassVar[tuple[str, ...]] = ("comment", "default", "not_null", "masking", "unique", "check")
    masking: ClassVar[str] = "view"                  # "view" | "policy"
    defaults: ClassVar[bool] = True
    # Table options: text after the column list, in this order. {text} is a string literal.
    storage: ClassVar[str | None] = None             # "USING DELTA"
    table_comment: ClassVar[str | None] = None       # "COMMENT = {text}": the table's description, inline
    column_comment: ClassVar[str | None] = None      # "COMMENT {text}": a column's description, inline
    defaults_option: ClassVar[str | None] = None     # a table property that columns with DEFAULT need
    partition_keys_in_unique: ClassVar[bool] = False  # every unique key must hold the partition columns
    partition_is_storage: ClassVar[bool] = True      # False: not declaring a layout is a note, not a loss
    # Quality queries (the quality target, `meshgen test`):
    double_type: ClassVar[str] = "DOUBLE PRECISION"  # the type a measured ratio is CAST to
    regex_search: ClassVar[str | None] = None        # a query's regex search, when not regex_match
    age_seconds: ClassVar[str] = "EXTRACT(EPOCH FROM (CURRENT_TIMESTAMP - MAX({column})))"  # freshness
    # The regex engine has lookaround and backreferences (PostgreSQL ARE, Java); RE2 (DuckDB,
    # BigQuery) and POSIX ERE (Redshift, Snowflake) have neither.
    regex_lookaround: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:  # an abstract helper class without a name is not a dialect
            DIALECTS[cls.name] = cls

    # ---- Names and literals ---------------------------------------------------------------

    def quote(self, name: str) -> str:
        """A name as an identifier: bare when it is a plain lower-case word this warehouse
        does not reserve, else quoted (so case and reserved words survive)."""
        if _PLAIN.fullmatch(name) and name not in self.RESERVED:
            return name
        return self.quoted(name)

    def quoted(self, name: str) -> str:
        q = self.identifier_quote
        return q + name.replace("\x00", "").replace(q, q + q) + q

    # ---- Where a table lives --------------------------------------------------------------

    # How many trailing parts of a port's `location` name a table here: 3 where one script
    # reaches several databases (catalog.schema.table), 2 where the connection is the database.
    name_parts: ClassVar[int] = 3
    create_schema: ClassVar[str | None] = "CREATE SCHEMA IF NOT EXISTS {name}"
    if_not_exists: ClassVar[bool] = True             # CREATE TABLE IF NOT EXISTS
    create_view: ClassVar[str] = "CREATE OR REPLACE VIEW"
    create_policy: ClassVar[str] = "CREATE MASKING POLICY"
    needs_schema: ClassVar[bool] = False             # a table name always carries its schema (no search path)

    def location_part(self, part: str) -> str:
        """One part of a location as the warehouse reads it when written bare: `ANALYTICS`
        folds as the warehouse folds names; a reserved word or other characters are quoted."""
        if _WORD.fullmatch(part) and part.lower() not in self.RESERVED:
            return part
        return self.quoted(part)

    def qualify(self, location: str) -> list[str] | None:
        """A port's `location` (`ANALYTICS.CHECKOUT.ORDERS_V1`) as the parts of a table name here
        (at most `name_parts`, the table last); None when it is not a dotted name."""
        parts = [p.strip() for p in location.split(".")]
        if any(not p or "\x00" in p for p in parts):
            return None
        return parts[-self.name_parts:]

    # ---- Reading SQL types back -----------------------------------------------------------

    # SQL type names that read back as a meshgen type besides those of TYPE_MAPPING.
    TYPE_ALIASES: ClassVar[dict[str, str]] = {
        "INT": "int", "INTEGER": "int", "SMALLINT": "int", "TINYINT": "int", "INT2": "int", "INT4": "int",
        "BIGINT": "long", "INT8": "long", "REAL": "float", "FLOAT4": "float", "FLOAT8": "double",
        "DOUBLE PRECISION": "double", "CHAR": "string", "CHARACTER": "string", "VARCHAR": "string",
        "CHARACTER VARYING": "string", "TEXT": "string", "BOOL": "boolean", "BOOLEAN": "boolean",
        "DATE": "date", "TIMESTAMP WITH TIME ZONE": "timestamp", "TIMESTAMP WITHOUT TIME ZONE": "timestamp_ntz",
    }

    def meshgen_type(self, sql_type: str) -> str | None:
        """A column type as this warehouse writes it (`NUMERIC(12,2)`, `ARRAY<STRING>`, `TEXT[]`)
        as a meshgen type expression, or None when meshgen has no type for it (an unbounded
        NUMERIC, a STRUCT whose members are separate fields). Lengths are not types: a
        `VARCHAR(36)` reads as string."""
        text = " ".join(sql_type.strip().upper().split())
        if text.endswith("[]"):
            inner = self.meshgen_type(text[:-2])
            return f"array<{inner}>" if inner else None
        outer, _, rest = text.partition("<")
        if rest.endswith(">") and outer.strip() in ("ARRAY", "MAP"):
            args = rest[:-1]
            if outer.strip() == "MAP":
                key, _, args = args.partition(",")
                if self.meshgen_type(key) != "string":
                    return None
            inner = self.meshgen_type(args)
            return f"{outer.strip().lower()}<{inner}>" if inner else None
        if text.startswith("MAP(") and text.endswith(")"):
            key, _, value = text[4:-1].partition(",")
            inner = self.meshgen_type(value) if self.meshgen_type(key) == "string" else None
            return f"map<{inner}>" if inner else None
        base, _, params = text.partition("(")
        base = base.strip()
        if base in self._decimal_names():
            numbers = [p.strip() for p in params.rstrip(")").split(",")] if params else []
            if len(numbers) == 2 and all(n.isdigit() for n in numbers):
                return f"decimal({int(numbers[0])},{int(numbers[1])})"
            return None
        return self._type_names().get(text) or self._type_names().get(base)

    def _decimal_names(self) -> set[str]:
        return {self.decimal_type(10, 2).split("(")[0].strip(), "DECIMAL", "NUMERIC", "NUMBER", "BIGNUMERIC"}

    def _type_names(self) -> dict[str, str]:
        """SQL type → meshgen type: the inverse of TYPE_MAPPING where a SQL type stands for one
        kind (STRING, not the uuid or json stored in it), then the aliases."""
        names: dict[str, str] = {}
        for kind in _READ_BACK_ORDER:
            sql = self.TYPE_MAPPING.get(kind)
            if sql is None or "(" in sql:
                continue
            names.setdefault(sql, kind.value)
        for alias, kind_name in self.TYPE_ALIASES.items():
            names.setdefault(alias, kind_name)
        return names

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

    def partition_clause(self, columns: list[tuple[str, DataType]], table: TableName) -> Partitioning:
        """How the (quoted column, type) pairs partition `table` here."""
        return Partitioning([], reason=f"{self.name} has no table partitioning")

    # ---- Personal data --------------------------------------------------------------------

    # How `hash` and `tokenize` protect a column: a keyed hash (HMAC-SHA-256, as lowercase hex
    # where the warehouse computes it) whose key the platform supplies (docs/targets-sql.md says
    # how, per warehouse), never an unkeyed SHA-256 that anyone can recompute and
    # join on. SQL with a {column} placeholder: bytes, other scalars as text, and nested values
    # (with JSON where the warehouse stores documents). HASH_SETUP: statements the file runs
    # before the first use (re-runnable), such as the extension or macro that computes it.
    HASH_BYTES = ""
    HASH_TEXT = ""
    HASH_NESTED = ""  # empty: nested values are hashed like text
    HASH_SETUP: tuple[str, ...] = ()
    json_is_document = False

    def policy_type(self, sql_type: str) -> str:
        """A masking policy's signature type: the column type without its length or precision."""
        return sql_type.split("(")[0]

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


# Where several kinds share one SQL type, the first here is what it reads back as.
_READ_BACK_ORDER = (Kind.STRING, Kind.LONG, Kind.INT, Kind.DOUBLE, Kind.FLOAT, Kind.BOOLEAN, Kind.DATE, Kind.TIME,
                    Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ, Kind.BYTES, Kind.UUID, Kind.JSON)


def dialect(name: str) -> Dialect:
    return DIALECTS[name]()


def reserved_anywhere() -> dict[str, list[str]]:
    """word → the dialects that reserve it (for NAM002: a name any warehouse must quote)."""
    found: dict[str, list[str]] = {}
    for name, cls in DIALECTS.items():
        for word in cls.RESERVED:
            found.setdefault(word, []).append(name)
    return found
