"""SQL DDL: one CREATE TABLE per dataset and dialect, at `sql/<dialect>/<dataset>.sql`.

The dialects are table-driven classes in `meshgen.dialects`; this module decides what each column
carries (type, NOT NULL, default, checks, comment, protection) and reports what a dialect
cannot express. Personal data is protected in the same file: a Snowflake masking policy on the
column, or a `<dataset>_protected` view for the other warehouses.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from typing import Iterable, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field as F

from meshgen.diagnostics import CodeFamily, DiagnosticCode, Diagnostic, Severity
from meshgen.output import Artifact
from meshgen.model.loader import ProductFile
from meshgen.dialects import DIALECTS, Dialect, dialect
from meshgen.dialects.base import TableName
from meshgen.model.models import Dataset, SchemaField, iter_fields
from meshgen.model.types import DataType, Kind
from meshgen.model.values import to_python
from meshgen.schemas.reporter import FieldNotes
from meshgen.targets.base import CANNOT_EXPRESS, TemplateInfo, Target

DialectName = Literal[tuple(DIALECTS)]  # type: ignore[valid-type]  # every registered dialect


class SqlOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dialects: Optional[list[DialectName]] = F(
        None, description="The dialects to write (default: the platforms of the product's table ports, plus duckdb).")
    pii_role: str = F("PII_READER", min_length=1,
                      description="The role that may read personal data unprotected (Snowflake masking policies).")


def product_dialects(pf: ProductFile) -> list[str]:
    """The warehouses a product's table ports name, in port order (no duplicates)."""
    names: list[str] = []
    for port in pf.product.outputPorts:
        if port.type == "table" and port.platform in DIALECTS and port.platform not in names:
            names.append(port.platform)
    return names


@dataclass
class Column:
    name: str            # quoted for the dialect
    type: str
    constraints: list[str] = field(default_factory=list)  # the clauses in the dialect's order
    clauses: dict[str, list[str]] = field(default_factory=dict)  # "not_null", "default", ... → text

    def add(self, key: str, text: str) -> None:
        self.clauses.setdefault(key, []).append(text)


@dataclass
class Table:
    """One dataset in one dialect, every name and string already quoted for it."""

    name: str
    where: TableName
    columns: list[Column] = field(default_factory=list)
    table_constraints: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    create: str = "CREATE TABLE"
    preamble: list[str] = field(default_factory=list)   # statements before CREATE TABLE
    comments: list[str] = field(default_factory=list)   # COMMENT ON statements
    epilogue: list[str] = field(default_factory=list)   # statements after those


class SqlTarget(Target):
    name = "sql"
    codes = CodeFamily("SQL", "The SQL target can express the product in the chosen dialect.", "docs/targets-sql.md", (
        DiagnosticCode("SQL001", CANNOT_EXPRESS,
                       'a column loses part of its type in a dialect (a JSON/VARIANT/SUPER fallback '
                       'for nested data, NOT NULL or enum symbols inside a struct, time as text in '
                       'Databricks)'),
        DiagnosticCode("SQL002", 'info for DuckDB (no table partitions), otherwise note (an error with --strict)',
                       '`partitionBy` is not, or only partly, expressed in a dialect'),
        DiagnosticCode("SQL003", CANNOT_EXPRESS,
                       '`unique` cannot be declared in a dialect without UNIQUE constraints; the dbt '
                       '`unique` test still checks it'),
        DiagnosticCode("SQL004", CANNOT_EXPRESS,
                       'a PII protection cannot be applied in DDL (`encrypt`, hashing a non-text '
                       'value in a Snowflake masking policy, a personal field nested in a column): '
                       'readers without access see NULL'),
        DiagnosticCode("SQL005", CANNOT_EXPRESS,
                       'a field default has no portable SQL literal (bytes, json, nested types) and '
                       'is not written as a column DEFAULT'),
        DiagnosticCode("SQL006", CANNOT_EXPRESS,
                       'a value constraint is not enforced: the dialect has no CHECK constraints'),
        DiagnosticCode("SQL007", CANNOT_EXPRESS,
                       "a table port's location is not a dotted table name; the table gets the default name"),
    ), target="sql")
    description = "SQL DDL (CREATE TABLE, comments, PII protection) per dataset for each warehouse dialect"
    Options = SqlOptions
    templates = {"sql/table.sql.j2": TemplateInfo(
        "one dataset's DDL in one dialect (`<dialect>/<dataset>.sql`)", (
            ("dataset", "the dataset name (for the header comment)"),
            ("address", "the product address (for the header comment)"),
            ("dialect", "the dialect name"),
            ("table", "name, columns (name, type, constraints), table_constraints, options, and the statements "
                      "before (preamble), after (comments, epilogue): names arrive quoted, strings escaped"),
        ))}

    def generate(self, pf: ProductFile) -> Iterable[Artifact]:
        names = list(self.options.dialects) if self.options.dialects is not None else product_dialects(pf) + ["duckdb"]
        for name in sorted(set(names)):
            d = dialect(name)
            for ds in pf.product.datasets:
                table = self.table(pf, ds, d)
                yield Artifact(f"{name}/{ds.name}.sql", self.render(
                    "table.sql.j2", table=table, dialect=name, dataset=ds.name, address=pf.product.address))

    # ---- One table --------------------------------------------------------------------------

    def table(self, pf: ProductFile, ds: Dataset, d: Dialect) -> Table:
        where, unread = table_place(pf, ds, d)
        if unread is not None:
            self.unsupported("SQL007", f"{d.name}: the location {pf.product.outputPorts[unread].location!r} of port "
                             f"{pf.product.outputPorts[unread].name!r} is not a dotted table name; the table is "
                             f"created as {where.render(d)}", pf.location("outputPorts", unread, "location"),
                             "write it as <schema>.<table> or <database>.<schema>.<table>")
        t = Table(where.render(d), where=where, create="CREATE TABLE IF NOT EXISTS" if d.if_not_exists else "CREATE TABLE")
        schema = where.schema_name(d)
        if schema and d.create_schema:
            t.preamble.append(d.create_schema.format(name=schema))
        protected: dict[str, tuple[str, SchemaField]] = {}
        comments: dict[str, str] = {}
        at = pf.dataset_path(ds.name) + ("fields",)
        self.column_notes = FieldNotes()  # a code met for many columns is one note for the table
        for i, f in enumerate(ds.fields):
            t.columns.append(self.column(pf, ds, d, t, i, protected, comments, at))
        has_defaults = any(c.clauses.get("default") for c in t.columns)
        if ds.primaryKey:
            cols = ", ".join(d.quote(k) for k in ds.primaryKey)
            t.table_constraints.append(d.primary_key.format(columns=cols, name=d.quote(f"{where.table}_pk")))
        if d.storage:
            t.options.append(d.storage)
        if ds.partitionBy:
            self.partitioning(pf, ds, d, t)
        if ds.description and d.table_comment:
            t.options.append(d.table_comment.format(text=d.literal(ds.description)))
        if has_defaults and d.defaults_option:
            t.options.append(d.defaults_option)
        if d.comment_on:
            if ds.description:
                t.comments.append(f"COMMENT ON TABLE {t.name} IS {d.literal(ds.description)}")
            for col, comment in comments.items():
                t.comments.append(f"COMMENT ON COLUMN {t.name}.{col} IS {d.literal(comment)}")
        if protected and d.masking == "view":
            if any(method in ("hash", "tokenize") for method, _ in protected.values()):
                t.epilogue.extend(d.HASH_SETUP)
            t.epilogue.append(self.protected_view(pf, ds, d, t, protected))
        self.column_notes.report(self.reporter, _many_columns(d, ds))  # the view's SQL004s too
        return t

    column_notes: FieldNotes  # the notes of the table being written (table())

    def column(self, pf: ProductFile, ds: Dataset, d: Dialect, t: Table, i: int,
               protected: dict, comments: dict, at: tuple) -> "Column":
        """One column with its clauses (written in the dialect's `column_order`); CHECKs a
        dialect adds by ALTER TABLE, masking policies and comments go to the table. `at` is the
        data path of the dataset's fields."""
        f = ds.fields[i]
        path = at + (i,)
        col = d.quote(f.name)
        losses: list[str] = []
        notes: list[str] = []  # member descriptions the type cannot carry inline
        data_type = f.data_type
        sql_type = d.column_type(data_type, losses, f.name, f.maxLength, notes=notes)
        c = Column(col, sql_type)
        comment = "\n".join(([f.description] if f.description else []) + notes) if notes else f.description or ""
        if comment:
            comments[col] = comment  # by the quoted name the COMMENT ON statement writes
            if d.column_comment:
                c.add("comment", d.column_comment.format(text=d.literal(comment)))
        if f.default is not None:
            default = default_literal(d, f, sql_type)
            if default is None:
                self.column_notes.add("SQL005", f"{f.name} ({f.type})", f"{d.name}: the default of {ds.name}.{f.name} "
                                      f"({f.type}) is not written as a column DEFAULT", pf.location(*path, "default"),
                                      "consumers still see it in the contract; fill the value in the pipeline")
            else:
                c.add("default", f"DEFAULT {default}")
        if f.required and (d.array_not_null or data_type.kind is not Kind.ARRAY):
            c.add("not_null", "NOT NULL")
        method = protection(f)
        if method is not None:
            protected[f.name] = (method, f)
            if d.masking == "policy":
                policy = t.where.render(d, f"__{f.name}__pii")
                t.preamble.append(self.masking_policy(pf, ds, f, d, policy, sql_type, method, path))
                c.add("masking", f"WITH MASKING POLICY {policy}")
        if f.unique and ds.primaryKey != [f.name]:
            if d.unique_constraint:
                c.add("unique", "UNIQUE")
            else:
                self.column_notes.add("SQL003", f.name, f"{d.name}: unique on {ds.name}.{f.name} is not declared (no "
                                      "UNIQUE constraint in this dialect)", pf.location(*path, "unique"),
                                      "uniqueness is still tested by the dbt target and the quality checks")
        if not unconstrained(f, data_type):
            self.column_checks(pf, ds, d, t, f, c, path)
        if losses:
            self.column_notes.add("SQL001", f"{f.name} ({f.type}: {'; '.join(losses)})",
                                  f"{d.name}: column {ds.name}.{f.name} ({f.type}) loses part of its type: "
                                  + "; ".join(losses), pf.location(*path, "type"),
                                  "choose a warehouse with nested types for this dataset, or accept the fallback "
                                  "(the contract and the dbt tests still state the full type)")
        if c.clauses:
            c.constraints = [text for key in d.column_order for text in c.clauses.get(key, ())]
        return c

    def column_checks(self, pf, ds: Dataset, d: Dialect, t: Table, f: SchemaField, c: "Column", path) -> None:
        conditions, unchecked = checks(d, f, c.name)
        if unchecked:
            self.column_notes.add("SQL006", f"{f.name} ({', '.join(said for _, said in unchecked)})",
                                  f"{d.name}: {', '.join(said for _, said in unchecked)} of {ds.name}.{f.name} "
                                  f"{'is' if len(unchecked) == 1 else 'are'} not enforced (no CHECK constraints in "
                                  "this dialect" + (", and VARCHAR lengths count bytes" if any(
                                      k == "maxLength" for k, _ in unchecked) and d.varchar_bytes else "") + ")",
                                  pf.location(*path, unchecked[0][0]),
                                  "the JSON Schema and the dbt target on a warehouse with CHECK constraints enforce "
                                  "it; add a quality check with `sql:` to test it on this warehouse")
        for j, check in enumerate(conditions):
            if d.check_constraints == "inline":
                c.add("check", f"CHECK ({check})")
            elif d.check_constraints == "alter":
                cname = d.quote(f"{t.where.table}_{f.name}_check{j + 1}")
                t.epilogue.append(f"ALTER TABLE {t.name} DROP CONSTRAINT IF EXISTS {cname}")  # re-runnable
                t.epilogue.append(f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} CHECK ({check})")

    def partitioning(self, pf: ProductFile, ds: Dataset, d: Dialect, t: Table) -> None:
        where = pf.location(*pf.dataset_path(ds.name), "partitionBy")
        columns = [(d.quote(n), ds.field(n).data_type) for n in ds.partitionBy]
        if d.partition_keys_in_unique:
            # PostgreSQL makes every unique constraint of a partitioned table include the partition key.
            keys = [ds.primaryKey] + [[f.name] for f in ds.fields if f.unique]
            short = [k for k in keys if k and not set(ds.partitionBy) <= set(k)]
            if short:
                self.unsupported("SQL002", f"{d.name}: {ds.name} is not partitioned: the partition columns "
                                 f"({', '.join(ds.partitionBy)}) must be in the primary key and every unique column",
                                 where, "add the partition columns to primaryKey, or partition the table by hand")
                return
        partitioning = d.partition_clause(columns, t.where)
        t.options.extend(partitioning.clauses)
        t.epilogue[:0] = partitioning.after
        reason = partitioning.reason
        if reason is None:
            return
        if not d.partition_is_storage:
            # An embedded database has no storage layout to declare: say so, it is not a loss.
            self.context.diagnostics.append(Diagnostic(
                "SQL002", Severity.INFO, f"{d.name}: partitionBy of {ds.name} is not expressed ({reason})", where,
                "DuckDB partitions files when writing them (COPY ... PARTITION_BY), not tables"))
        else:
            self.unsupported("SQL002", f"{d.name}: partitionBy of {ds.name} is only partly expressed: {reason}",
                             where, "partition by one date or timestamp field for this warehouse")

    # ---- Personal data ----------------------------------------------------------------------

    def protection_expr(self, pf, ds, f: SchemaField, d: Dialect, column: str, sql_type: str, method: str, path) -> str:
        t = f.data_type
        if method == "mask":
            return d.masked_expr(column, t, sql_type)
        if method in ("hash", "tokenize"):
            return d.hash_expr(column, t)
        if method == "withhold":
            self.column_notes.add("SQL004", f"{f.name} (personal data in a nested field)",
                                  f"{d.name}: {ds.name}.{f.name} holds personal data in a nested field; readers "
                                  "without access to personal data see NULL for the whole column",
                                  pf.location(*path, "type"), "mark the column itself pii with a protection, or move "
                                  "the personal field to the top level")
            return d.null_expr(sql_type)
        self.column_notes.add("SQL004", f"{f.name} (`{method}`)",
                              f"{d.name}: {ds.name}.{f.name} is protected by `{method}`, which DDL cannot do; "
                              "readers without access to personal data see NULL", pf.location(*path, "protection"),
                              "encrypt in the pipeline that writes the table; the DDL only keeps the value from readers")
        return d.null_expr(sql_type)

    def protected_view(self, pf, ds: Dataset, d: Dialect, t: Table, protected: dict) -> str:
        base = pf.dataset_path(ds.name)
        items = []
        for i, f in enumerate(ds.fields):
            col = d.quote(f.name)
            if f.name in protected:
                method, _ = protected[f.name]
                losses: list[str] = []
                sql_type = d.column_type(f.data_type, losses, f.name, f.maxLength)
                expr = self.protection_expr(pf, ds, f, d, col, sql_type, method, base + ("fields", i))
                items.append(f"{expr} AS {col}")
            else:
                items.append(col)
        columns = ",\n  ".join(items)
        return f"{d.create_view} {t.where.render(d, '_protected')} AS\nSELECT\n  {columns}\nFROM {t.name}"

    def masking_policy(self, pf, ds, f: SchemaField, d: Dialect, policy: str, sql_type: str, method: str, path) -> str:
        sig = d.policy_type(sql_type)
        kind = f.data_type.kind
        if method in ("hash", "tokenize") and kind in (Kind.STRING, Kind.UUID, Kind.ENUM, Kind.BYTES):
            masked = d.hash_expr("val", f.data_type)
        elif method in ("hash", "tokenize"):
            self.column_notes.add("SQL004", f"{f.name} ({f.type}: `{method}` of a non-text value)",
                                  f"snowflake: {ds.name}.{f.name} ({f.type}) cannot be hashed by a masking policy "
                                  f"that must return {sig}; readers without the role see NULL",
                                  pf.location(*path, "protection"), "hash text or bytes fields, or use protection: mask")
            masked = "NULL"
        else:
            masked = self.protection_expr(pf, ds, f, d, "val", sig, method, path)
        role = d.literal(self.options.pii_role)
        return (f"{d.create_policy} {policy} AS (val {sig}) RETURNS {sig} ->\n"
                f"  CASE WHEN IS_ROLE_IN_SESSION({role}) THEN val ELSE {masked} END")


def table_place(pf: ProductFile, ds: Dataset, d: Dialect) -> tuple[TableName, int | None]:
    """Where a dataset's table lives on one warehouse: as the `location` of the product's table
    port for it on that platform says (`ANALYTICS.CHECKOUT.ORDERS_V1`), else in the domain's
    schema under a version-distinct name (`checkout.orders_v1`, `checkout.orders__lines_v1`:
    the dbt model's name with dbt's `_v<major>`). Also the index of a port whose location
    could not be read (the default name is used then)."""
    p = pf.product
    for i, port in enumerate(p.outputPorts):
        if port.type == "table" and port.platform == d.name and port.dataset == ds.name and port.location:
            parts = d.qualify(port.location)
            if parts is None:
                return default_place(pf, ds), i
            return TableName(tuple(parts[:-1]) or (p.domain,), parts[-1], from_location=True), None
    return default_place(pf, ds), None


def default_place(pf: ProductFile, ds: Dataset) -> TableName:
    p = pf.product
    stem = p.name if ds.name == p.name else f"{p.name}__{ds.name}"
    return TableName((p.domain,), f"{stem}_v{p.major}")


def table_name(pf: ProductFile, ds: Dataset, dialect_name: str) -> str:
    """The table's name as the generated DDL writes it (for tools and tests that query it)."""
    d = dialect(dialect_name)
    return table_place(pf, ds, d)[0].render(d)


def protection(f: SchemaField) -> str | None:
    """How a top-level column is protected: its own method, `mask` for bare PII, or the
    strongest need of a personal field nested inside it (the whole column is then withheld)."""
    if f.pii or f.protection:
        return f.protection or "mask"
    t = f.data_type
    while t.kind in (Kind.ARRAY, Kind.MAP):
        t = t.items if t.kind is Kind.ARRAY else t.values
    if t.kind is not Kind.STRUCT:  # no member to look at (most columns)
        return None
    if any(sub.pii or sub.protection for sub in iter_fields(t.fields)):
        return "withhold"
    return None


def checks(d: Dialect, f: SchemaField, col: str, symbols: bool = True) -> tuple[list[str], list[tuple[str, str]]]:
    """What the column type alone does not hold: (CHECK conditions, or — for a dialect without
    CHECK constraints — the (spec key, constraint) pairs left unenforced). Enum symbols a dialect
    cannot check are reported by `column_type` as a lost part of the type."""
    t = f.data_type
    if unconstrained(f, t):
        return [], []  # most columns: nothing to check
    text = d.as_text(col, t)
    rules: list[tuple[str, str, str]] = []  # (spec key, constraint as the spec says it, condition)
    if f.minimum is not None:
        rules.append(("minimum", f"minimum {number(f.minimum)}", f"{col} >= {number(f.minimum)}"))
    if f.maximum is not None:
        rules.append(("maximum", f"maximum {number(f.maximum)}", f"{col} <= {number(f.maximum)}"))
    if f.minLength:
        rules.append(("minLength", f"minLength {f.minLength}", f"length({text}) >= {f.minLength}"))
    if f.maxLength is not None and not (t.kind is Kind.STRING and d.varchar and not d.varchar_bytes):
        rules.append(("maxLength", f"maxLength {f.maxLength}", f"length({text}) <= {f.maxLength}"))
    if f.pattern is not None:
        rules.append(("pattern", f"pattern {f.pattern!r}",
                      d.regex_match.format(column=text, pattern=d.literal(f.pattern))))
    if not d.check_constraints:
        return [], [(key, said) for key, said, _ in rules]
    conditions = [cond for _, _, cond in rules]
    if t.kind is Kind.ENUM and symbols:  # symbols=False: the caller tests them another way (dbt)
        conditions.insert(0, f"{col} IN ({', '.join(d.literal(s) for s in t.symbols)})")
    return conditions, []


def unconstrained(f: SchemaField, t: DataType) -> bool:
    """Whether `checks` has nothing to say about a column of type `t` (most columns)."""
    return f.minimum is None and f.maximum is None and not f.minLength and f.maxLength is None and f.pattern is None \
        and t.kind is not Kind.ENUM


def number(value: int | float | decimal.Decimal) -> str:
    """A bound as a SQL number, digit for digit (a Decimal as written, a float by its shortest form)."""
    if isinstance(value, int):
        return str(value)
    return format(value if isinstance(value, decimal.Decimal) else decimal.Decimal(repr(value)), "f")


def default_literal(d: Dialect, f: SchemaField, sql_type: str) -> str | None:
    """A spec default as a SQL expression, or None for types without a portable literal."""
    t: DataType = f.data_type
    v = to_python(f.default, t)
    kind = t.kind
    if kind in (Kind.STRING, Kind.ENUM):
        return d.literal(v)
    if kind is Kind.BOOLEAN:
        return "TRUE" if v else "FALSE"
    if kind in (Kind.INT, Kind.LONG):
        return str(v)
    if kind in (Kind.FLOAT, Kind.DOUBLE, Kind.DECIMAL):
        return f"CAST({d.literal(str(v))} AS {sql_type})"
    if kind in (Kind.DATE, Kind.TIME, Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ, Kind.UUID):
        return f"CAST({d.literal(str(f.default))} AS {sql_type})"
    return None


def _many_columns(d: Dialect, ds: Dataset) -> dict[str, str]:
    """The one note of a table and dialect for a column code met for several of its columns ({count}, {listed})."""
    return {
        "SQL001": f"{d.name}: {{count}} columns of {ds.name} lose part of their type: {{listed}}",
        "SQL004": f"{d.name}: {{count}} protected columns of {ds.name} cannot be protected in DDL; readers without "
                  "access to personal data see NULL in them: {listed}",
        "SQL003": f"{d.name}: unique on {{count}} columns of {ds.name} is not declared (no UNIQUE constraint in "
                  "this dialect): {listed}",
        "SQL005": f"{d.name}: the defaults of {{count}} columns of {ds.name} are not written as column DEFAULTs: "
                  "{listed}",
        "SQL006": f"{d.name}: constraints of {{count}} columns of {ds.name} are not enforced (no CHECK constraints "
                  "in this dialect" + (", and VARCHAR lengths count bytes" if d.varchar_bytes else "") + "): {listed}",
    }
