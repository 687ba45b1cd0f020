"""The checks a product's contract implies, and each one's query in every SQL dialect.

A check measures one number inside the database (a count of bad rows, a share, an age in
seconds) and compares it with a threshold here, so only the measured value ever leaves the
engine. Checks come from three places of a dataset: its fields' constraints (required, unique,
primary key, enum symbols, pattern, minimum/maximum, minLength/maxLength), its `quality` list
(custom `sql` or a built-in metric) and the product's SLOs (freshness on its timestampField,
completeness of required values, accuracy through the check it references).

Ids are stable and readable: `<dataset>.<kind>[.<field>]` for derived checks and
`<dataset>.<quality id>` for listed ones, so a CI history can follow one check across builds.
"""

from __future__ import annotations

import decimal
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from meshgen.diagnostics import Diagnostic, Location, Severity
from meshgen.model.loader import ProductFile
from meshgen.model.models import Dataset, QualityCheck, SchemaField
from meshgen.model.types import Kind
from meshgen.model.values import duration_seconds, parse_ratio
from meshgen.dialects import Dialect, dialect


@dataclass(frozen=True)
class Threshold:
    """How a measured value passes: `op` is one of = < <= > >= between."""

    op: str
    value: float | int | tuple[float, float]
    said: str  # as the spec says it: "0", "5%", "1h"

    def passes(self, measured: float | None) -> bool:
        if measured is None:
            return False
        if self.op == "between":
            low, high = self.value  # type: ignore[misc]
            return low <= measured <= high
        v = self.value
        return {"=": measured == v, "<": measured < v, "<=": measured <= v,
                ">": measured > v, ">=": measured >= v}[self.op]  # type: ignore[operator]

    def describe(self) -> str:
        if self.op == "between":
            return f"between {self.value[0]} and {self.value[1]}"  # type: ignore[index]
        return f"{self.op} {self.said}"


@dataclass(frozen=True)
class Check:
    id: str
    dataset: str
    kind: str           # required, unique, primary_key, enum, pattern, minimum, ..., freshness, sql, metric
    dimension: str
    severity: str       # "error" | "warning"
    threshold: Threshold
    description: str
    path: tuple         # where in the spec it comes from
    location: Location
    columns: tuple[str, ...] = ()  # the columns it reads (for missing-column diagnostics)
    unit: str = "rows"  # what the measured value counts: rows, ratio, seconds, value
    # The query, built per dialect: returns None when the dialect cannot express it.
    build: Callable[[Dialect, str], str | None] = field(repr=False, compare=False, default=lambda d, t: None)

    def sql(self, d: Dialect, table: str) -> str | None:
        return self.build(d, table)


_LOOKAROUND = re.compile(r"\(\?<?[=!]|\\[1-9]|\\k<")


def regex_condition(d: Dialect, column: str, pattern: str) -> str | None:
    """A regex search, or None when the dialect's regex engine cannot run the pattern."""
    if _LOOKAROUND.search(pattern) and not d.regex_lookaround:
        return None
    fmt = d.regex_search or d.regex_match
    return fmt.format(column=column, pattern=d.literal(pattern))


def percent(ratio: float) -> str:
    return f"{round(ratio * 100, 6):g}%"


def number(value: int | float) -> str:
    return str(value) if isinstance(value, int) else format(decimal.Decimal(repr(value)), "f")


# ---- Deriving the checks ------------------------------------------------------------------

def product_checks(pf: ProductFile) -> tuple[list[Check], list[Diagnostic]]:
    """Every check of a product, in spec order, and notes on what could not become a check."""
    checks: list[Check] = []
    notes: list[Diagnostic] = []
    for ds in pf.product.datasets:
        base = pf.dataset_path(ds.name)
        checks.extend(field_checks(pf, ds, base))
        listed = {q.id: q for q in ds.quality}
        for j, q in enumerate(ds.quality):
            checks.append(quality_check(pf, ds, q, base + ("quality", j)))
        checks.extend(slo_checks(pf, ds, listed, notes))
    return checks, notes


def _check(pf: ProductFile, ds: Dataset, kind: str, dimension: str, path: tuple, threshold: Threshold,
           description: str, build, columns=(), fieldname: str | None = None, severity: str = "error",
           unit: str = "rows", id: str | None = None) -> Check:
    ident = id or ".".join([ds.name, kind] + ([fieldname] if fieldname else []))
    return Check(ident, ds.name, kind, dimension, severity, threshold, description, path,
                 pf.location(*path), tuple(columns), unit, build)


ZERO = Threshold("=", 0, "0")


def count_where(condition: Callable[[Dialect, str], str | None]):
    """A count of the rows that meet `condition` (None: the dialect cannot state it)."""
    def build(d: Dialect, table: str) -> str | None:
        cond = condition(d, table)
        return None if cond is None else f"SELECT COUNT(*) FROM {table} WHERE {cond}"
    return build


def field_checks(pf: ProductFile, ds: Dataset, base: tuple) -> list[Check]:
    out: list[Check] = []
    sole_key = ds.primaryKey[0] if len(ds.primaryKey) == 1 else None
    for i, f in enumerate(ds.fields):
        path = base + ("fields", i)
        name = f.name

        def col(d: Dialect, _n: str = name) -> str:
            return d.quote(_n)

        if f.required:
            out.append(_check(pf, ds, "required", "completeness", path + ("required",), ZERO,
                              f"{name} is never null", count_where(lambda d, t, c=col: f"{c(d)} IS NULL"),
                              [name], name))
        if f.unique and name != sole_key:
            out.append(_check(pf, ds, "unique", "uniqueness", path + ("unique",), ZERO,
                              f"no two rows share a value of {name}", duplicates_query([name]), [name], name))
        out.extend(value_checks(pf, ds, f, path, col))
    if ds.primaryKey:
        out.append(_check(pf, ds, "primary_key", "uniqueness", base + ("primaryKey",), ZERO,
                          f"no two rows share the key ({', '.join(ds.primaryKey)})",
                          duplicates_query(list(ds.primaryKey)), ds.primaryKey))
    return out


def duplicates_query(columns: list[str]):
    """The number of key values that occur more than once (rows with a null key part excluded)."""
    def build(d: Dialect, table: str) -> str:
        cols = ", ".join(d.quote(c) for c in columns)
        present = " AND ".join(f"{d.quote(c)} IS NOT NULL" for c in columns)
        return (f"SELECT COUNT(*) FROM (SELECT {cols} FROM {table} WHERE {present} "
                f"GROUP BY {cols} HAVING COUNT(*) > 1) AS duplicated")
    return build


def value_conditions(f: SchemaField) -> list[tuple[str, str, Callable[[Dialect, str], str]]]:
    """(kind, spec key, violation condition over the column) for each value constraint."""
    t = f.data_type
    rules: list[tuple[str, str, Callable[[Dialect, str], str]]] = []
    if t.kind is Kind.ENUM:
        symbols = t.symbols
        rules.append(("enum", "symbols", lambda d, c: f"{d.as_text(c, t)} NOT IN "
                      f"({', '.join(d.literal(s) for s in symbols)})"))
    if f.pattern is not None:
        pattern = f.pattern
        rules.append(("pattern", "pattern", lambda d, c: negate(regex_condition(d, d.as_text(c, t), pattern))))
    if f.minimum is not None:
        low = number(f.minimum)
        rules.append(("minimum", "minimum", lambda d, c: f"{c} < {low}"))
    if f.maximum is not None:
        high = number(f.maximum)
        rules.append(("maximum", "maximum", lambda d, c: f"{c} > {high}"))
    if f.minLength:
        n = f.minLength
        rules.append(("min_length", "minLength", lambda d, c: f"length({d.as_text(c, t)}) < {n}"))
    if f.maxLength is not None:
        m = f.maxLength
        rules.append(("max_length", "maxLength", lambda d, c: f"length({d.as_text(c, t)}) > {m}"))
    return rules


_DIMENSION = {"enum": "conformity", "pattern": "conformity", "min_length": "conformity", "max_length": "conformity",
              "minimum": "accuracy", "maximum": "accuracy"}


def both(a: str, b: str | None) -> str | None:
    return None if b is None else f"{a} AND {b}"


def negate(condition: str | None) -> str | None:
    return None if condition is None else f"NOT ({condition})"


def value_checks(pf: ProductFile, ds: Dataset, f: SchemaField, path: tuple, col) -> list[Check]:
    out = []
    for kind, key, condition in value_conditions(f):
        said = {"enum": "one of its symbols"}.get(kind, f"{key} {getattr(f, key, '')!s}")
        out.append(_check(
            pf, ds, kind, _DIMENSION[kind], path + (key,), ZERO, f"every value of {f.name} meets {said}",
            count_where(lambda d, t, c=col, cond=condition: both(f"{c(d)} IS NOT NULL", cond(d, c(d)))),
            [f.name], f.name))
    return out


def nested_constraints(ds: Dataset) -> list[str]:
    found = []

    def walk(fields, prefix: str) -> None:
        for f in fields:
            name = f"{prefix}{f.name}"
            if prefix and (f.required or value_conditions(f)):
                found.append(name)
            t = f.data_type
            while t.kind in (Kind.ARRAY, Kind.MAP):
                t = t.items if t.kind is Kind.ARRAY else t.values
            if t.kind is Kind.STRUCT:
                walk(t.fields, name + ".")
    walk(ds.fields, "")
    return found


# ---- The quality list ---------------------------------------------------------------------

def threshold_of(q: QualityCheck) -> Threshold:
    for key, op in (("mustBe", "="), ("mustBeLessThan", "<"), ("mustBeGreaterThan", ">")):
        v = getattr(q, key)
        if v is not None:
            if isinstance(v, str):
                return Threshold(op, round(parse_ratio(v), 12), v)
            return Threshold(op, v, number(v))
    low, high = q.mustBeBetween  # type: ignore[misc]
    return Threshold("between", (low, high), f"[{number(low)}, {number(high)}]")


def quality_check(pf: ProductFile, ds: Dataset, q: QualityCheck, path: tuple) -> Check:
    threshold = threshold_of(q)
    dimension = q.dimension or ("timeliness" if q.metric is None else "completeness")
    description = q.description or q.id
    if q.sql is not None:
        text = q.sql
        return _check(pf, ds, "sql", dimension, path + ("sql",), threshold, description,
                      lambda d, table: custom_sql(text, table), id=f"{ds.name}.{q.id}", unit="value")
    ratio = isinstance(getattr(q, {"=": "mustBe", "<": "mustBeLessThan", ">": "mustBeGreaterThan"}.get(
        threshold.op, "mustBe")), str)
    f = ds.field(q.field) if q.field else None
    build = metric_query(q.metric, q.field, f, ratio)
    # A share or a volume is a statistical expectation, like an SLO: missing it warns. A count of
    # bad rows (nulls, duplicates, invalid values) is a contract breach: an error.
    statistical = ratio or q.metric == "rowCount"
    return _check(pf, ds, "metric", q.dimension or METRIC_DIMENSION[q.metric], path + ("metric",), threshold,
                  description, build, [q.field] if q.field else [], id=f"{ds.name}.{q.id}",
                  unit="ratio" if ratio else "rows", severity="warning" if statistical else "error")


METRIC_DIMENSION = {"duplicateValues": "uniqueness", "nullValues": "completeness", "rowCount": "completeness",
                    "invalidValues": "conformity", "missingValues": "completeness"}


def custom_sql(text: str, table: str) -> str:
    return text.replace("{dataset}", table).strip().rstrip(";").strip()


def metric_query(metric: str, fieldname: str | None, f: SchemaField | None, ratio: bool):
    def bad(d: Dialect) -> str | None:
        c = d.quote(fieldname or "")
        if metric == "nullValues":
            return f"{c} IS NULL"
        if metric == "missingValues":
            if f is not None and f.data_type.kind.is_textual:
                return f"{c} IS NULL OR {d.as_text(c, f.data_type)} = ''"
            return f"{c} IS NULL"
        if metric == "invalidValues":
            conds = [cond(d, c) for _, _, cond in value_conditions(f)] if f is not None else []
            if any(x is None for x in conds):
                return None
            return f"{c} IS NOT NULL AND ({' OR '.join(conds)})" if conds else "1 = 0"
        raise AssertionError(metric)

    def build(d: Dialect, table: str) -> str | None:
        if metric == "rowCount":
            return f"SELECT COUNT(*) FROM {table}"
        if metric == "duplicateValues":
            c = d.quote(fieldname or "")
            count = f"COUNT({c}) - COUNT(DISTINCT {c})"
        else:
            condition = bad(d)
            if condition is None:
                return None
            count = f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"
        if ratio:
            double = d.double_type
            return f"SELECT CAST({count} AS {double}) / NULLIF(COUNT(*), 0) FROM {table}"
        return f"SELECT {count} FROM {table}"
    return build


# ---- SLOs ---------------------------------------------------------------------------------

TIME_KINDS = (Kind.TIMESTAMP, Kind.TIMESTAMP_NTZ, Kind.DATE)


def slo_checks(pf: ProductFile, ds: Dataset, listed: dict[str, QualityCheck], notes: list[Diagnostic]) -> list[Check]:
    """SLOs are promises over time: a missed one fails its check at warning severity."""
    slos = pf.product.slos
    if slos is None:
        return []
    out: list[Check] = []
    fr = slos.freshness
    if fr is not None and fr.timestampField and fr.timestampField.partition(".")[0] == ds.name:
        where = ("slos", "freshness", "timestampField")
        fname = fr.timestampField.partition(".")[2]
        f = ds.field(fname)
        if f is None or f.data_type.kind not in TIME_KINDS:
            notes.append(Diagnostic("QUAL001", Severity.WARNING, f"freshness of {ds.name} is not checked: "
                                    f"{fr.timestampField} is not a top-level timestamp or date field",
                                    pf.location(*where), "point timestampField at a timestamp column"))
        else:
            seconds = duration_seconds(fr.threshold)
            out.append(_check(pf, ds, "freshness", "timeliness", where,
                              Threshold("<=", seconds, f"{number(seconds)} s ({fr.threshold})"),
                              f"the newest {fname} is at most {fr.threshold} old (database clock)",
                              lambda d, table, n=fname: f"SELECT {d.age_seconds.format(column=d.quote(n))} "
                                                        f"FROM {table}",
                              [fname], severity="warning", unit="seconds", id=f"{ds.name}.freshness"))
    required = [f.name for f in ds.fields if f.required]
    if slos.completeness is not None and required:
        target = slos.completeness.target
        out.append(_check(pf, ds, "completeness", "completeness", ("slos", "completeness", "target"),
                          Threshold(">=", round(target, 12), percent(target)),
                          f"at least {target:.2%} of required values are present", completeness_query(required),
                          required, severity="warning", unit="ratio", id=f"{ds.name}.completeness"))
    acc = slos.accuracy
    if acc is not None and acc.check in listed:
        q = listed[acc.check]
        if q.sql is not None:
            text = q.sql
            bad_rows = lambda d, table: custom_sql(text, table)  # noqa: E731
        else:
            bad_rows = metric_query(q.metric, q.field, ds.field(q.field) if q.field else None, False)
        out.append(_check(pf, ds, "accuracy", "accuracy", ("slos", "accuracy", "check"),
                          Threshold(">=", round(acc.target, 12), percent(acc.target)),
                          f"at least {acc.target:.2%} of rows are correct (1 - {acc.check} / rows)",
                          lambda d, table: accuracy_query(d, bad_rows(d, table), table),
                          [q.field] if q.field else [], severity="warning", unit="ratio", id=f"{ds.name}.accuracy"))
    return out


def completeness_query(columns: list[str]):
    def build(d: Dialect, table: str) -> str:
        present = " + ".join(f"COUNT({d.quote(c)})" for c in columns)
        double = d.double_type
        return f"SELECT CAST({present} AS {double}) / NULLIF({len(columns)} * COUNT(*), 0) FROM {table}"
    return build


def accuracy_query(d: Dialect, bad_rows_sql: str | None, table: str) -> str | None:
    if bad_rows_sql is None:
        return None
    double = d.double_type
    return (f"SELECT 1 - CAST(({bad_rows_sql}) AS {double}) / NULLIF((SELECT COUNT(*) FROM {table}), 0)")


# ---- Tables -------------------------------------------------------------------------------

def table_reference(pf: ProductFile, ds: Dataset, d: Dialect) -> tuple[str, str | None]:
    """The table a dataset lives in for a dialect, as the sql target's DDL creates it (the table
    port's location on that platform, else the version-distinct default), and its table port."""
    from meshgen.targets.sql import table_name

    port = next((p.name for p in pf.product.outputPorts if p.type == "table" and p.dataset == ds.name
                 and p.platform == d.name), None) or next(
        (p.name for p in pf.product.outputPorts if p.type == "table" and p.dataset == ds.name), None)
    return table_name(pf, ds, d.name), port


def manifest_entry(check: Check, dialects: list[str], tables: dict[str, str], file: str) -> dict[str, Any]:
    """One check as data, with its query per dialect (None where the dialect cannot express it)."""
    t = check.threshold
    return {
        "id": check.id, "dataset": check.dataset, "kind": check.kind, "dimension": check.dimension,
        "severity": check.severity, "description": check.description,
        "threshold": {"op": t.op, "value": list(t.value) if isinstance(t.value, tuple) else t.value, "as_written": t.said},
        "unit": check.unit, "columns": list(check.columns),
        "source": {"file": file, "line": check.location.line, "column": check.location.column},
        "sql": {name: check.sql(dialect(name), tables[name]) for name in dialects},
    }
