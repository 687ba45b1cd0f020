"""SQL DDL → datasets: each CREATE TABLE is one dataset, read by sqlglot in the given dialect.

sqlglot (pure Python, the optional extra `meshgen[import]`) parses each statement on its own,
so one it cannot read is a warning (IMP007) and the rest still import. Positions come from
sqlglot's identifiers (a column's name, a table's name) as offsets into the file. Types are
read from sqlglot's dialect-independent type tree: `STRUCT(...)[]` becomes an array of
structs with its members, `NUMBER(12,2)` a decimal, `TIMESTAMP_TZ`/`TIMESTAMPTZ` a
timestamp. Descriptions come from COMMENT clauses and `COMMENT ON` statements; a column
comment's `items[].sku: ...` lines (how the sql target documents members a dialect cannot
describe inline) go back onto the members. The `-- <dataset>: data://d/p/vN (dialect)` header
the sql target writes names the product and the dataset.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from meshgen.diagnostics import Diagnostic, Location, Severity, display_path
from meshgen.errors import InputError, UsageError
from meshgen.importers.product import Findings, Identity, Imported, collection, fitted, safe_name, unique_fields
from meshgen.load.yaml_source import read_text

_HEADER = re.compile(r"^--\s*([^:\n]+):\s*data://([^/\s]+)/([^/\s]+)/v(\d+)\s*\((\w+)\)")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# sqlglot's type names (dialect-independent) → meshgen types, for the scalar kinds.
_TYPES = {
    **dict.fromkeys(("TEXT", "VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "NAME", "BPCHAR", "CITEXT", "STRING"), "string"),
    **dict.fromkeys(("INT", "SMALLINT", "TINYINT", "UTINYINT", "MEDIUMINT", "USMALLINT", "SERIAL", "SMALLSERIAL"),
                    "int"),
    **dict.fromkeys(("BIGINT", "UINT", "UMEDIUMINT", "BIGSERIAL", "INT64"), "long"),
    **dict.fromkeys(("FLOAT", "REAL"), "float"),
    **dict.fromkeys(("DOUBLE",), "double"),
    **dict.fromkeys(("BOOLEAN", "BIT"), "boolean"),
    "DATE": "date", **dict.fromkeys(("TIME", "TIMETZ"), "time"),
    **dict.fromkeys(("TIMESTAMPTZ", "TIMESTAMPLTZ", "DATETIMEOFFSET"), "timestamp"),
    **dict.fromkeys(("TIMESTAMP", "TIMESTAMPNTZ", "DATETIME", "DATETIME2", "SMALLDATETIME", "TIMESTAMP_S",
                     "TIMESTAMP_MS", "TIMESTAMP_NS", "DATETIME64"), "timestamp_ntz"),
    **dict.fromkeys(("BINARY", "VARBINARY", "BLOB", "BYTEA", "LONGBLOB", "MEDIUMBLOB", "TINYBLOB", "IMAGE"), "bytes"),
    **dict.fromkeys(("UUID", "UNIQUEIDENTIFIER"), "uuid"),
    **dict.fromkeys(("JSON", "JSONB", "VARIANT", "SUPER"), "json"),
}
_PORT_FORMATS = ("delta", "iceberg", "parquet", "avro", "json", "csv")
_LENGTH_TYPES = ("VARCHAR", "CHAR", "NVARCHAR", "NCHAR", "TEXT", "STRING", "BPCHAR")


def _sqlglot():
    try:
        import sqlglot
    except ImportError:
        raise UsageError("meshgen import sql needs sqlglot", [Diagnostic(
            "IMP006", Severity.ERROR, "`meshgen import sql` reads SQL with sqlglot, which is not installed",
            Location("<command line>", 1, 1), "pip install 'meshgen[import]'")]) from None
    logging.getLogger("sqlglot").setLevel(logging.ERROR)  # its fallback notices become IMP007 findings
    return sqlglot


def read(paths: list[Path], options, findings: Findings) -> Imported:
    sqlglot = _sqlglot()
    datasets, ports, identity, first = [], [], Identity(), None
    for path in paths:
        shown = display_path(path)
        text = read_text(path, shown)
        header = _HEADER.match(text)
        dialect = _dialect(sqlglot, options.dialect or (header.group(5) if header else None))
        script = _Script(sqlglot, dialect, text, shown, findings)
        first = first or script.at(0)
        tables = script.tables()
        if header and len(tables) == 1:  # the sql target's own file: one dataset of a named product
            tables[0]["dataset"]["name"] = header.group(1).strip()
            if identity.domain is None:
                identity.domain, identity.name = header.group(2), header.group(3)
                identity.version = f"{int(header.group(4))}.0.0"
        for table in tables:
            datasets.append(table["dataset"])
            ports.append(_port(table, dialect))
            if identity.domain is None and table["schema"]:
                identity.domain = table["schema"][-1]
                identity.where["domain"] = table["where"]
    return Imported(first or Location(str(paths[0])), identity, datasets, ports)


def _port(table: dict, dialect: str) -> dict:
    from meshgen.dialects import DIALECTS

    port = {"name": f"{table['dataset']['name']}-table", "type": "table", "dataset": table["dataset"]["name"]}
    if dialect in DIALECTS:
        port["platform"] = dialect
    port["location"] = table["location"]
    if table["format"]:
        port["format"] = table["format"]
    return port


def _dialect(sqlglot, name: str | None) -> str:
    if not name:
        raise UsageError("meshgen import sql needs --dialect", [Diagnostic(
            "IMP001", Severity.ERROR, "which SQL dialect is the file written in?", Location("<command line>", 1, 1),
            "pass --dialect postgres (or snowflake, bigquery, databricks, duckdb, redshift, tsql, mysql, ...)")])
    try:
        sqlglot.Dialect.get_or_raise(name)
    except ValueError as exc:
        raise UsageError(f"unknown dialect {name!r}", [Diagnostic(
            "IMP001", Severity.ERROR, f"sqlglot has no dialect {name!r}", Location("<command line>", 1, 1),
            str(exc).splitlines()[0])]) from None
    return name


class _Script:
    """One SQL file: its statements parsed one by one, positions as offsets into the file."""

    def __init__(self, sqlglot, dialect: str, text: str, shown: str, findings: Findings):
        self.sqlglot, self.dialect, self.shown, self.findings = sqlglot, dialect, shown, findings
        self.restore: dict[str, str] = {}
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.text = _PLACEHOLDER.sub(self._placeholder, text)

    def _placeholder(self, match: re.Match) -> str:
        """`${database_name}` (a deployment template's variable) is read as a name of the same
        length, so every position after it stays where it is; locations keep it as written."""
        stand_in = f"_{match.group(1)}__"
        self.restore[stand_in] = match.group(0)
        self.findings.changed(f"template placeholder {match.group(0)} is read as a name", self.at(match.start()),
                              "the table's location keeps it as written; fill it in if the port needs a real one")
        return stand_in

    def at(self, offset: int) -> Location:
        import bisect

        line = bisect.bisect_right(self.line_starts, offset)
        return Location(self.shown, line, offset - self.line_starts[line - 1] + 1)

    def as_sql(self, node) -> str:
        """A node as SQL for a message; sqlglot cannot write back every tree it parses from
        broken input (a property holding a list), and then the node's kind is shown."""
        try:
            return node.sql(dialect=self.dialect)
        except Exception:  # noqa: BLE001 - any failure of sqlglot's generator: only a message is at stake
            return f"<{type(node).__name__}>"

    def at_node(self, node, base: int) -> Location:
        meta = getattr(node, "meta", None) or {}
        return self.at(base + meta["start"]) if "start" in meta else self.at(base)

    def statements(self):
        """(offset, statement) for each statement; one that does not parse is IMP007."""
        from sqlglot.errors import ParseError, TokenError
        from sqlglot.tokens import TokenType

        try:
            tokens = self.sqlglot.Dialect.get_or_raise(self.dialect).tokenize(self.text)
        except TokenError as exc:
            raise InputError(f"{self.shown}: not SQL", [Diagnostic(
                "IMP001", Severity.ERROR, f"the file does not tokenize as {self.dialect} SQL: {exc}", self.at(0),
                "check the --dialect and the quoting")]) from None
        start = None
        for token in tokens + [None]:
            if token is not None and token.token_type != TokenType.SEMICOLON:
                start = token.start if start is None else start
                continue
            if start is not None:
                chunk = self.text[start:(token.start if token is not None else len(self.text))]
                try:
                    yield start, self.sqlglot.parse_one(chunk, read=self.dialect)
                except (ParseError, TokenError) as exc:
                    self.findings.add("IMP007", f"sqlglot cannot parse this statement as {self.dialect}: "
                                      f"{str(exc).splitlines()[0][:200]}; not imported", self.at(start),
                                      "check the --dialect; import the statement's table by hand")
            start = None

    def tables(self) -> list[dict]:
        from sqlglot import exp

        tables, comments = [], []
        for base, statement in self.statements():
            if isinstance(statement, exp.Create) and statement.kind == "TABLE" and isinstance(statement.this, exp.Schema):
                tables.append(self.table(statement, base))
            elif isinstance(statement, (exp.Comment, exp.Alter)):
                comments.append((base, statement))
            elif not self._derived(statement, tables):
                what = self.as_sql(statement)[:60].split("\n")[0]
                self.findings.add("IMP007", f"statement {what!r}… is not a CREATE TABLE; not imported",
                                  self.at(base), "a view, an INSERT or a grant has no place in the spec")
        for base, statement in comments:
            if isinstance(statement, exp.Comment):
                self._comment_on(statement, base, tables)
            else:
                self._alter(statement, base, tables)
        for table in tables:
            for f in table["dataset"]["fields"]:
                _member_notes(f)
        return tables

    @staticmethod
    def _derived(statement, tables: list[dict]) -> bool:
        """What follows from the tables: the schema or database they are created in."""
        from sqlglot import exp

        return isinstance(statement, exp.Create) and statement.kind in ("SCHEMA", "DATABASE")

    def table(self, create, base: int) -> dict:
        from sqlglot import exp

        schema, table = create.this, create.this.this
        parts = [p.name for p in (table.args.get("catalog"), table.args.get("db")) if p is not None] + [table.name]
        where = self.at_node(table.this, base)
        dataset: dict[str, Any] = {"name": safe_name(table.name, where, self.findings, "table name")}
        fields, keys = [], []
        for element in schema.expressions:
            if isinstance(element, exp.ColumnDef):
                data, at = self.column(element, base, keys)
                fields.append((data, at))
            elif isinstance(element, (exp.PrimaryKey, exp.Constraint)) and element.find(exp.PrimaryKey) is not None:
                keys.extend(e.name for e in element.find(exp.PrimaryKey).expressions)
            else:
                self._table_constraint(element, base, fields)
        self._properties(create.args.get("properties"), base, dataset, [f["name"] for f, _ in fields])
        if keys:
            dataset["primaryKey"] = keys
            for data, _ in fields:
                if data["name"] in keys:
                    data["required"] = True  # a primary key is never null
        dataset["fields"] = unique_fields(fields, self.findings)
        file_format = dataset.pop("_format", None)
        location = ".".join(self.restore.get(p, p) for p in parts)
        return {"dataset": dataset, "table": table.name, "schema": tuple(parts[:-1]), "location": location,
                "where": where, "format": file_format}

    def _table_constraint(self, element, base: int, fields: list) -> None:
        from sqlglot import exp

        unique = element.find(exp.UniqueColumnConstraint)
        columns = [c.name for c in unique.find_all(exp.Identifier)] if unique is not None else []
        if unique is not None and len(columns) == 1:
            for data, _ in fields:
                if data["name"] == columns[0]:
                    data["unique"] = True
                    return
        self.findings.lost(f"table constraint {self.as_sql(element)[:80]!r} has no place in the spec",
                           self.at_node(next(element.find_all(exp.Identifier), element), base))

    def _properties(self, properties, base: int, dataset: dict, columns: list[str]) -> None:
        from sqlglot import exp

        for prop in properties.expressions if properties is not None else ():
            if isinstance(prop, exp.SchemaCommentProperty):
                dataset["description"] = prop.this.name
            elif isinstance(prop, exp.Properties) or (isinstance(prop, exp.Property) and prop.name == "description"):
                text = _option(prop, "description")
                if text is not None:
                    dataset["description"] = text
            elif isinstance(prop, exp.FileFormatProperty) and prop.name.lower() in _PORT_FORMATS:
                dataset["_format"] = prop.name.lower()  # the table port's format (delta, iceberg, parquet)
            elif isinstance(prop, (exp.PartitionedByProperty, exp.ClusterProperty, exp.Cluster, exp.ClusteredByProperty)):
                named = [c.name for c in prop.find_all(exp.Column)] or [i.name for i in prop.find_all(exp.Identifier)]
                named = [c for c in named if c in columns]
                if named and "partitionBy" not in dataset:
                    dataset["partitionBy"] = named
            else:
                self.findings.lost(f"table option {self.as_sql(prop)[:80]!r} has no place in the spec",
                                   self.at_node(next(prop.find_all(exp.Identifier), prop), base))

    def column(self, col, base: int, keys: list[str], member: bool = False) -> tuple[dict, Location]:
        where = self.at_node(col.this, base)
        name = safe_name(col.name, where, self.findings, "column name")
        kind = col.args.get("kind")
        spec = self.type(kind, base, where) if kind is not None else self._untyped(name, where)
        data: dict[str, Any] = {"name": name, "type": spec.pop("type"), "required": False}
        for constraint in col.constraints:
            self._constraint(constraint, data, keys, base, where)
        if spec.get("maxLength") is not None:
            data["maxLength"] = spec.pop("maxLength")
        data.update(spec)
        return fitted(data, where, self.findings), where

    def _untyped(self, name: str, where: Location) -> dict:
        self.findings.nearest_type(f"column {name!r} has no type; imported as string", where)
        return {"type": "string"}

    def _constraint(self, constraint, data: dict, keys: list[str], base: int, where: Location) -> None:
        from sqlglot import exp

        kind = constraint.kind
        if isinstance(kind, exp.NotNullColumnConstraint) and not kind.args.get("allow_null"):
            data["required"] = True
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            keys.append(data["name"])
        elif isinstance(kind, exp.UniqueColumnConstraint):
            data["unique"] = True
        elif isinstance(kind, exp.CommentColumnConstraint):
            data["description"] = kind.this.name
        elif isinstance(kind, exp.Properties) and _option(kind, "description") is not None:
            data["description"] = _option(kind, "description")
        elif isinstance(kind, exp.DefaultColumnConstraint) and _literal(kind.this) is not None:
            data["default"] = _literal(kind.this)
        elif isinstance(kind, exp.CheckColumnConstraint) and self._check(kind.this, data):
            pass
        else:
            self.findings.lost(f"column {data['name']!r}: {self.as_sql(constraint)[:80]!r} has no "
                               "place in the spec", where)

    def _check(self, condition, data: dict) -> bool:
        """The checks the sql target writes, read back: `c IN (...)` (enum symbols), `c >= n`,
        `c <= n`, `length(c) <= n`. Anything else is reported as not imported."""
        from sqlglot import exp

        if isinstance(condition, exp.In) and data["type"] == "string":
            symbols = [_literal(e) for e in condition.expressions]
            if symbols and all(isinstance(s, str) for s in symbols):
                data["type"], data["symbols"] = "enum", symbols
                return True
        if isinstance(condition, exp.RegexpLike) and isinstance(_literal(condition.expression), str):
            data["pattern"] = _literal(condition.expression)
            return True
        bounds = {exp.GTE: "minimum", exp.LTE: "maximum"}
        key = bounds.get(type(condition))
        if key and isinstance(condition.this, exp.Column):
            value = _number(condition.expression)
            if value is not None:
                data[key] = value
                return True
        if key == "maximum" and isinstance(condition.this, exp.Length):
            value = _number(condition.expression)
            if isinstance(value, int):
                data["maxLength"] = value
                return True
        return False

    def type(self, dtype, base: int, where: Location) -> dict:
        """The spec type keys of one sqlglot type (with `maxLength` from a string's length)."""
        from sqlglot import exp

        if not isinstance(dtype, exp.DataType):
            return self._nearest(self.as_sql(dtype), "string", where)
        name = dtype.this.name
        inner = [e for e in dtype.expressions if isinstance(e, exp.DataType)]
        if name == "ARRAY":
            if not inner:
                return self._nearest("ARRAY without an element type", "array<json>", where)
            return collection("array", "items", self._element(inner[0], base, where))
        if name == "MAP":
            if len(inner) == 2 and self.type(inner[0], base, where).get("type") == "string":
                return collection("map", "values", self._element(inner[1], base, where))
            return self._nearest(self.as_sql(dtype), "map<json>", where)
        if name in ("STRUCT", "OBJECT"):
            members = [e for e in dtype.expressions if isinstance(e, exp.ColumnDef)]
            if not members:
                return self._nearest(f"{name} without members", "map<json>", where)
            found = [self.column(m, base, [], member=True) for m in members]
            return {"type": "struct", "fields": unique_fields(found, self.findings)}
        if name in ("DECIMAL", "BIGDECIMAL", "NUMERIC", "NUMBER", "MONEY"):
            return self._decimal(dtype, where)
        if name in _TYPES:
            spec = {"type": _TYPES[name]}
            length = _params(dtype)
            if name in _LENGTH_TYPES and len(length) == 1 and isinstance(length[0], int) and length[0] > 0:
                spec["maxLength"] = self._characters(length[0])
            return spec
        return self._nearest(self.as_sql(dtype), "string", where)

    def _characters(self, n: int) -> int:
        """A length as characters: where the warehouse counts bytes (Redshift), the sql target
        wrote 4 bytes per character (UTF-8's most), so a multiple of 4 is read back as that."""
        from meshgen.dialects import DIALECTS

        counts_bytes = self.dialect in DIALECTS and DIALECTS[self.dialect].varchar_bytes
        return n // 4 if counts_bytes and n % 4 == 0 else n

    def _element(self, dtype, base: int, where: Location) -> dict:
        spec = self.type(dtype, base, where)
        if "maxLength" in spec:
            self.findings.lost(f"the length of {self.as_sql(dtype)} inside a collection is not kept "
                               "(maxLength is a field's, not an element's)", where)
            spec.pop("maxLength")
        return spec

    def _decimal(self, dtype, where: Location) -> dict:
        from meshgen.model.types import MAX_DECIMAL_PRECISION

        params = _params(dtype)
        if len(params) == 2 and all(isinstance(p, int) for p in params):
            precision, scale = params
        elif len(params) == 1 and isinstance(params[0], int):
            precision, scale = params[0], 0
        else:
            return self._nearest(f"{self.as_sql(dtype)} without a precision", "decimal(38,9)", where)
        if precision > MAX_DECIMAL_PRECISION or not 0 <= scale <= precision:
            fixed = min(precision, MAX_DECIMAL_PRECISION)
            return self._nearest(self.as_sql(dtype), f"decimal({fixed},{min(scale, fixed)})", where)
        return {"type": f"decimal({precision},{scale})"}

    def _nearest(self, what: str, meshgen_type: str, where: Location) -> dict:
        self.findings.nearest_type(f"{what} has no meshgen type; imported as {meshgen_type}", where)
        return {"type": meshgen_type}

    def _alter(self, alter, base: int, tables: list[dict]) -> None:
        """`ALTER TABLE t ADD CONSTRAINT c CHECK (...)` (how the sql target writes checks where the
        warehouse wants them after the table) and the `DROP CONSTRAINT IF EXISTS` that makes it
        re-runnable; any other change is IMP007."""
        from sqlglot import exp

        table = next((t for t in tables if isinstance(alter.this, exp.Table) and t["table"] == alter.this.name), None)
        unread = []
        for action in alter.args.get("actions") or []:
            if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "CONSTRAINT":
                continue
            checks = list(action.find_all(exp.CheckColumnConstraint)) if isinstance(action, exp.AddConstraint) else []
            if table is not None and checks and all(self._table_check(c.this, table) for c in checks):
                continue
            unread.append(action)
        if unread:
            self.findings.add("IMP007", f"ALTER {self.as_sql(alter.this)}: "
                              f"{self.as_sql(unread[0])[:80]!r} is not imported", self.at(base),
                              "a change to a table that the spec cannot express")

    def _table_check(self, condition, table: dict) -> bool:
        from sqlglot import exp

        column = next(condition.find_all(exp.Column), None)
        field = next((f for f in table["dataset"]["fields"] if column is not None and f["name"] == column.name), None)
        return field is not None and self._check(condition, field)

    def _comment_on(self, comment, base: int, tables: list[dict]) -> None:
        """`COMMENT ON TABLE t IS '...'` and `COMMENT ON COLUMN t.c IS '...'`."""
        from sqlglot import exp

        text = _literal(comment.args.get("expression"))
        target, kind = comment.this, str(comment.args.get("kind", "")).upper()
        if not isinstance(text, str):
            return
        if kind == "TABLE" and isinstance(target, exp.Table):
            for t in tables:
                if t["table"] == target.name:
                    t["dataset"]["description"] = text
                    return
        if kind == "COLUMN" and isinstance(target, exp.Column):
            for t in tables:
                if t["table"] == target.table:
                    for f in t["dataset"]["fields"]:
                        if f["name"] == target.name:
                            f["description"] = text
                            return
        self.findings.lost(f"COMMENT ON {kind} {self.as_sql(target)}: no such table or column here",
                           self.at(base))


def _params(dtype) -> list:
    from sqlglot import exp

    out = []
    for p in dtype.expressions:
        if isinstance(p, exp.DataTypeParam):
            value = p.this.name if p.this is not None else ""
            out.append(int(value) if value.isdigit() else value)
    return out


def _literal(node) -> Any:
    """A literal's value (through casts and a sign): a string, a number, a boolean; None otherwise."""
    from sqlglot import exp

    while isinstance(node, (exp.Cast, exp.Paren)):
        node = node.this
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else _number(node)
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.Neg):
        value = _number(node.this)
        return -value if value is not None else None
    return None


def _number(node) -> int | float | None:
    from sqlglot import exp

    negative = isinstance(node, exp.Neg)
    node = node.this if negative else node
    if not isinstance(node, exp.Literal) or node.is_string:
        return None
    text = node.this
    try:
        value = int(text) if re.fullmatch(r"\d+", text) else float(text)
    except ValueError:
        return None
    return -value if negative else value


def _option(node, key: str) -> str | None:
    """`OPTIONS(description='...')` (BigQuery) as a Property or a list of them."""
    from sqlglot import exp

    for prop in [node] + list(node.find_all(exp.Property)):
        if isinstance(prop, exp.Property) and prop.name == key and isinstance(_literal(prop.args.get("value")), str):
            return _literal(prop.args.get("value"))
    return None


_NOTE = re.compile(r"^([^\s:\[\]{}.]+)((?:\[\]|\{\}|\.[^\s:\[\]{}.]+)*): (.*)$")


def _member_notes(column: dict) -> None:
    """Lines `items[].sku: text` of a column's description (the sql target's way of documenting
    members the dialect cannot describe inline) become the members' descriptions where the
    members are there; otherwise they stay in the column's description."""
    lines = (column.get("description") or "").split("\n")
    kept = []
    for line in lines:
        m = _NOTE.match(line)
        member = _member(column, re.findall(r"\.([^\s:\[\]{}.]+)", m.group(2))) if m and m.group(1) == column[
            "name"] else None
        if member is not None and not member.get("description"):
            member["description"] = m.group(3)
        else:
            kept.append(line)
    if column.get("description") is not None:
        column["description"] = "\n".join(kept)


def _member(column: dict, names: list[str]) -> dict | None:
    node: Any = column
    for name in names:
        while node.get("type") in ("array", "map") and isinstance(node.get("items") or node.get("values"), dict):
            node = node.get("items") or node.get("values")
        node = next((f for f in node.get("fields") or () if f.get("name") == name), None)
        if node is None:
            return None
    return node if names else None
